/**
 * record: N H.264 1280x720@30 streams recorded at once (pass-through), in one hub process.
 * Each stream is pre-encoded H.264 replayed with fresh capture times and has one live reader
 * (a viewer). The same streams and viewers without a recorder are the same-run baseline:
 * the recorder's cost is the CPU difference, "frames missing" compares what was published while
 * recording with what the segments hold, and the viewers' share of frames must not drop.
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from '../src/frame/frame.js';
import { Hub } from '../src/hub/hub.js';
import { RecordingStore } from '../src/recordings/store.js';
import { DEFAULTS_RECORDING } from '../src/sinks/recorder/defaults.js';
import { Recorder } from '../src/sinks/recorder/recorder.js';
import { nowUs } from '../src/util/clock.js';
import { setLogLevel } from '../src/util/logger.js';
import { sleep } from '../src/util/sleep.js';
import { h264Frames } from '../support/h264.js';
import { cpuSampler, pct, table, type Section } from './section.js';

const MEASURE_MS = 10_000;
const STREAM_COUNTS = [4, 16];
const FPS = 30;

interface Run {
  cpu: number;
  published: number;
  viewerShare: number;
  recorded: number;
  lost: number;
  bytes: number;
}

/** runOnce replays `n` streams for MEASURE_MS with a viewer each, with or without a recorder. */
async function runOnce(frames: Frame[], n: number, record: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-bench-rec-'));
  const hub = new Hub();
  const rec = record ? new Recorder(hub, { ...DEFAULTS_RECORDING, dir }) : undefined;
  await rec?.start();
  const names = Array.from({ length: n }, (_, i) => `cam${i}`);
  const pubs = names.map((s) => hub.publish(s, 'bench'));
  const seen = names.map(() => 0);
  const viewers = names.map((s, i) =>
    (async () => {
      for await (const _ of hub.read(s, { label: 'viewer' })) seen[i]++;
    })(),
  );
  let published = 0;
  let k = 0;
  const cpu = cpuSampler();
  const t0 = Date.now();
  // One timer for all streams (as a camera set would deliver), frames in order, keyframe every second.
  while (Date.now() - t0 < MEASURE_MS) {
    const f = frames[k % frames.length];
    const now = nowUs();
    for (let i = 0; i < n; i++) pubs[i].publish({ ...f, stream: names[i], seq: k, captureUs: now });
    published += n;
    k++;
    const next = t0 + (k * 1000) / FPS;
    await sleep(Math.max(0, next - Date.now()));
  }
  for (const p of pubs) p.end();
  await Promise.all(viewers);
  await rec?.close();
  const cpuMs = cpu();
  let recorded = 0;
  let bytes = 0;
  if (rec) {
    const store = new RecordingStore(dir);
    for (const s of names) for (const seg of await store.list(s, 0, Number.MAX_SAFE_INTEGER)) {
      recorded += seg.frames;
      bytes += seg.bytes;
    }
  }
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
  const viewerShare = Math.min(...seen) / k;
  return { cpu: cpuMs / (Date.now() - t0), published, viewerShare, recorded, lost: rec ? published - recorded : 0, bytes };
}

/** section is the `record` benchmark. */
export const section: Section = {
  name: 'record',
  async run() {
    setLogLevel('error');
    const frames = h264Frames({ width: 1280, height: 720, fps: FPS, frames: 2 * FPS, gop: FPS, noise: 8 }, 'bench');
    const rows: (string | number)[][] = [];
    const verdicts: string[] = [];
    for (const n of STREAM_COUNTS) {
      const base = await runOnce(frames, n, false);
      const r = await runOnce(frames, n, true);
      const extra = r.cpu - base.cpu;
      rows.push([n, 'no recorder (baseline)', pct(base.cpu), '-', '-', pct(base.viewerShare), '-']);
      rows.push([n, 'recording', pct(r.cpu), pct(extra), `${r.lost} of ${r.published}`, pct(r.viewerShare), (r.bytes / 1e6 / (MEASURE_MS / 1000)).toFixed(1)]);
      const ok = r.lost === 0 && r.viewerShare >= base.viewerShare - 0.01 && extra <= 1;
      verdicts.push(`${n} streams: recorder added ${pct(extra)} of one core (target ≤ 100 % for 16 streams incl. motion), ${r.lost} frames missing from the recordings (target 0), viewers got ${pct(r.viewerShare)} of frames vs ${pct(base.viewerShare)} without recording — ${ok ? 'PASS' : 'FAIL'}.`);
    }
    return [
      `## Recording: N H.264 1280x720@30 streams (pass-through, fdatasync per fragment), ${MEASURE_MS / 1000} s per row`,
      '',
      table(['streams', 'run', 'hub process CPU (of one core)', 'recorder cost', 'frames missing from recordings', 'worst viewer: share of frames', 'MB/s written'], rows),
      '',
      ...verdicts,
    ].join('\n');
  },
};
