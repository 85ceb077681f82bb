import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Hub } from '../../src/hub/hub.js';
import { RecordingStore } from '../../src/recordings/store.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { FS_SEGMENT_IO, type SegmentIo } from '../../src/sinks/recorder/segment-io.js';
import { setLogLevel, setLogSink } from '../../src/util/logger.js';
import { ffprobeFrames, tempDir } from '../../support/media.js';
import { decodeErrors, FRAME_US, recorderOptions } from '../helpers/recordings.js';
import { renderFrames } from '../../support/replay.js';
import { requireTool } from '../helpers/tools.js';

const tmp = tempDir();
after(() => {
  setLogSink((l) => process.stderr.write(l + '\n'));
  tmp.cleanup();
});

/** failingIo writes through the file system, except that appends fail with ENOSPC while `full` is set. */
function failingIo(state: { full: boolean }): SegmentIo {
  return {
    async create(path) {
      if (state.full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      const f = await FS_SEGMENT_IO.create(path);
      return {
        async append(b) {
          if (state.full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
          await f.append(b);
        },
        close: () => f.close(),
      };
    },
  };
}

test('a write error pauses that stream with one log line and a metric, live readers get every frame, recording resumes by itself', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const lines: string[] = [];
  setLogLevel('info');
  setLogSink((l) => lines.push(l));
  const frames = await renderFrames({ width: 160, height: 120, fps: 30, quality: 80 }, 30, 'cam');
  const dir = tmp.file('rec');
  const state = { full: false };
  const hub = new Hub();
  const rec = new Recorder(hub, recorderOptions(dir, { segmentMs: 1000, retryMs: 300, io: failingIo(state) }));
  await rec.start();
  const pub = hub.publish('cam');
  const live = hub.read('cam', { label: 'viewer' });
  const seen: number[] = [];
  const viewer = (async () => {
    for await (const f of live) seen.push(f.seq);
  })();
  const base = Date.now() * 1000;
  let seq = 0;
  const publishFor = async (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      pub.publish({ ...frames[seq % 30], seq, captureUs: base + Math.round(seq * FRAME_US) });
      seq++;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await publishFor(1500);
  state.full = true;
  await publishFor(1500);
  const during = rec.stats().streams[0];
  assert.equal(during.paused, true, 'the stats say paused');
  const gauge = rec.metricFamilies().find((f) => f.name === 'camwire_recording_paused');
  assert.deepEqual(gauge?.samples, [{ labels: { stream: 'cam' }, value: 1 }], 'and so does /metrics');
  assert.ok(during.writeErrors >= 1);
  assert.ok(during.framesLost > 0);
  state.full = false;
  await publishFor(2000);
  const resumed = rec.stats().streams[0];
  assert.equal(resumed.paused, false);
  pub.end();
  await viewer;
  await rec.close();
  await hub.close();
  setLogLevel('error');

  assert.deepEqual(seen, Array.from({ length: seq }, (_, i) => i), 'the live reader got every frame throughout');
  const paused = lines.filter((l) => l.includes('recording of "cam" paused'));
  assert.equal(paused.length, 1, `one line, not one per retry:\n${lines.join('\n')}`);
  assert.match(paused[0], /ENOSPC/);
  assert.equal(lines.filter((l) => l.includes('recording of "cam" resumed')).length, 1);
  const segs = await new RecordingStore(dir).list('cam', 0, Number.MAX_SAFE_INTEGER);
  assert.ok(segs.some((s) => s.startUs >= base + 3e6 - 1e5), 'a segment recorded after space returned');
  for (const s of segs) {
    assert.equal(s.open, false);
    assert.equal(decodeErrors(s.path), '', s.path);
    assert.equal(ffprobeFrames(s.path), s.frames, s.path);
  }
});
