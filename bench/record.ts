/**
 * record: N H.264 1280x720@30 streams recorded at once (pass-through), in one hub process.
 * Each stream is pre-encoded H.264 replayed with fresh capture times and has one live reader
 * (a viewer). The same streams and viewers without a recorder are the same-run baseline:
 * the recorder's cost is the CPU difference, "frames missing" compares what was published while
 * recording with what the segments hold, and the viewers' share of frames must not drop.
 * MJPEG streams (720p JPEGs, stored as they came) get the same rows.
 *
 * Seek: a synthetic day of one stream (1,440 one-minute segments, written directly with the
 * recorder's own muxer and index format) against one synthetic hour in the same directory (the
 * baseline): "what exists between A and B" (RecordingStore.list) and the first byte of a
 * playback clip from a random moment over real HTTP — what the page waits for before it can
 * draw (the page's own decode time is not in this figure).
 */
import { rmSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
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
import { renderFrames } from '../support/replay.js';
import { startHub } from '../src/api/hub-server.js';
import { initSegment } from '../src/recordings/fmp4-init.js';
import { fragment } from '../src/recordings/fmp4-fragment.js';
import { dayOf, fileNameOf } from '../src/recordings/store.js';
import { TIMESCALE, type Track } from '../src/recordings/track.js';
import type { IndexLine } from '../src/recordings/index-file.js';
import { cpuSampler, ms, pct, table, type Section } from './section.js';

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

/** synthesize writes `minutes` one-minute MJPEG segments of `stream` from `startUs`: 60 one-picture fragments each (1 fps), index lines like the recorder's. */
function synthesize(dir: string, stream: string, startUs: number, minutes: number, jpeg: Buffer): void {
  const track: Track = { codec: 'mjpeg', width: 160, height: 120, sps: Buffer.alloc(0), pps: Buffer.alloc(0) };
  const lines = new Map<string, string[]>();
  const totals = new Map<string, { t: number; k: number }>();
  for (let m = 0; m < minutes; m++) {
    const s = startUs + m * 60e6;
    const day = dayOf(s);
    const parts = [initSegment(track, s)];
    for (let i = 0; i < 60; i++) parts.push(fragment({ sequence: i + 1, decodeTime: i * TIMESCALE, wallUs: s + i * 1e6 }, [{ data: jpeg, duration: TIMESCALE, keyframe: true }]));
    const body = Buffer.concat(parts);
    const file = fileNameOf(s);
    mkdirSync(join(dir, stream, day), { recursive: true });
    writeFileSync(join(dir, stream, day, file), body);
    const tot = totals.get(day) ?? { t: 0, k: 0 };
    tot.t += body.length;
    tot.k++;
    totals.set(day, tot);
    const line: IndexLine = { f: file, s, e: s + 60e6, b: body.length, n: 60, c: 'mjpeg', w: 160, h: 120, t: tot.t, k: tot.k };
    (lines.get(day) ?? lines.set(day, []).get(day)!).push(JSON.stringify(line));
  }
  for (const [day, l] of lines) writeFileSync(join(dir, stream, day, 'index.jsonl'), l.join('\n') + '\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs: number[]) => Math.max(...xs);

/** seek measures list and first-byte times on a synthetic day against a synthetic hour. */
async function seek(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-bench-seek-'));
  const jpeg = (await renderFrames({ width: 160, height: 120, fps: 1, quality: 70 }, 1, 'x'))[0].payload;
  const dayStart = Date.UTC(2026, 10, 28, 12) * 1000; // crosses midnight, like most days of a camera
  synthesize(dir, 'day', dayStart, 1440, jpeg);
  synthesize(dir, 'hour', dayStart, 60, jpeg);
  const store = new RecordingStore(dir);
  const server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1', recordDir: dir });
  const rows: (string | number)[][] = [];
  const result: Record<string, { list: number[]; first: number[] }> = {};
  try {
    for (const [stream, minutes] of [['hour', 60], ['day', 1440]] as const) {
      const list: number[] = [];
      const first: number[] = [];
      for (let i = 0; i < 40; i++) {
        const at = dayStart + Math.random() * (minutes - 11) * 60e6;
        const t0 = performance.now();
        const segs = await store.list(stream, at, at + 60e6);
        list.push(performance.now() - t0);
        if (segs.length === 0) throw new Error('synthetic recording not found');
        if (i >= 20) continue;
        const t1 = performance.now();
        const res = await fetch(`http://127.0.0.1:${server.http!.port}/api/recordings/clip.mp4?stream=${stream}&from=${Math.round(at / 1000)}&to=${Math.round(at / 1000) + 600_000}`);
        const reader = res.body!.getReader();
        await reader.read(); // the init segment: the clip's first bytes
        first.push(performance.now() - t1);
        await reader.cancel();
      }
      const t2 = performance.now();
      const whole = await store.list(stream, dayStart, dayStart + minutes * 60e6);
      const wholeMs = performance.now() - t2;
      result[stream] = { list, first };
      rows.push([stream === 'day' ? '24 h (1,440 segments)' : '1 h (60 segments), baseline', `${ms(median(list))} / ${ms(max(list))}`, `${ms(wholeMs)} (${whole.length} segments)`, `${ms(median(first))} / ${ms(max(first))}`]);
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const day = result.day;
  const ok = max(day.first) <= 300;
  return [
    '## Seek in 24 h of recording (synthetic index and segments, one stream; median / max over 40 list and 20 clip requests)',
    '',
    table(['recording', '"what exists" for a random minute (ms)', 'list the whole span (ms)', 'clip from a random moment: first byte over HTTP (ms)'], rows),
    '',
    `First byte of playback from any moment of 24 h: worst ${ms(max(day.first))} ms, median ${ms(median(day.first))} ms (1 h baseline: median ${ms(median(result.hour.first))} ms) — ${ok ? 'within' : 'NOT within'} the 300 ms target for the first picture; the page's own MSE decode of the first fragment is not included.`,
  ].join('\n');
}

/** section is the `record` benchmark. */
export const section: Section = {
  name: 'record',
  async run() {
    setLogLevel('error');
    const h264 = h264Frames({ width: 1280, height: 720, fps: FPS, frames: 2 * FPS, gop: FPS, noise: 8 }, 'bench');
    const mjpeg = await renderFrames({ width: 1280, height: 720, fps: FPS, quality: 80 }, FPS, 'bench', 6);
    const rows: (string | number)[][] = [];
    const verdicts: string[] = [];
    for (const [codec, frames, counts] of [['H.264', h264, STREAM_COUNTS], ['MJPEG', mjpeg, [16]]] as const) {
      for (const n of counts) {
        const base = await runOnce(frames, n, false);
        const r = await runOnce(frames, n, true);
        const extra = r.cpu - base.cpu;
        rows.push([codec, n, 'no recorder (baseline)', pct(base.cpu), '-', '-', pct(base.viewerShare), '-']);
        rows.push([codec, n, 'recording', pct(r.cpu), pct(extra), `${r.lost} of ${r.published}`, pct(r.viewerShare), (r.bytes / 1e6 / (MEASURE_MS / 1000)).toFixed(1)]);
        const ok = r.lost === 0 && r.viewerShare >= base.viewerShare - 0.01 && extra <= 1;
        verdicts.push(`${codec}, ${n} streams: recorder added ${pct(extra)} of one core (target ≤ 100 % for 16 streams incl. motion), ${r.lost} frames missing from the recordings (target 0), viewers got ${pct(r.viewerShare)} of frames vs ${pct(base.viewerShare)} without recording — ${ok ? 'PASS' : 'FAIL'}.`);
      }
    }
    const seekText = await seek();
    return [
      `## Recording: N 1280x720@30 streams (H.264 pass-through; MJPEG as received), fdatasync per fragment, ${MEASURE_MS / 1000} s per row`,
      '',
      table(['codec', 'streams', 'run', 'hub process CPU (of one core)', 'recorder cost', 'frames missing from recordings', 'worst viewer: share of frames', 'MB/s written'], rows),
      '',
      ...verdicts,
      '',
      seekText,
    ].join('\n');
  },
};
