import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Hub } from '../../src/hub/hub.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { scanSegmentFile } from '../../src/recordings/fmp4-reader.js';
import { RecordingStore } from '../../src/recordings/store.js';
import { setLogLevel } from '../../src/util/logger.js';
import { camwire } from '../helpers/cli.js';
import { ffmpegFile, ffprobeFrames, tempDir } from '../../support/media.js';
import { decodeErrors, frameMd5s, recorderOptions } from '../helpers/recordings.js';
import { requireTool } from '../helpers/tools.js';

setLogLevel('error');
const tmp = tempDir();
after(() => tmp.cleanup());

test('SIGKILL mid-segment loses at most the fragment being written; a restart closes the segment and it plays', { timeout: 90_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  // A real H.264 file played in real time by a real `camwire serve` with its ffmpeg source.
  const clip = ffmpegFile(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '20', '-c:v', 'libx264', '-g', '15', '-pix_fmt', 'yuv420p', '-bf', '0'], tmp.file('clip.mp4'));
  const dir = tmp.file('rec');
  const proc = camwire(['serve', '--tcp', '0', '--http', '0', '--stream', `cam=file:${clip}`, '--codec', 'h264', '--record', dir]);
  const store = new RecordingStore(dir);
  let seg;
  try {
    await proc.waitFor(/recording every stream/);
    // Wait for about three seconds of fragments, then kill without warning, mid-segment (60 s).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [s] = await store.list('cam', 0, Number.MAX_SAFE_INTEGER);
      const scan = s && (await scanSegmentFile(s.path).catch(() => undefined)); // not created yet, or no moov yet
      if (scan && scan.frames >= 90) {
        seg = s;
        break;
      }
      if (Date.now() > deadline) throw new Error(`no 3 s of recording after 30 s:\n${proc.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
  assert.ok(seg.open, 'the segment was still being written');
  const scanned = await scanSegmentFile(seg.path);
  // Everything in complete fragments decodes as it is, before any repair.
  assert.equal(ffprobeFrames(seg.path), scanned.frames);
  const killedAt = frameMd5s(seg.path);
  assert.deepEqual(killedAt, frameMd5s(clip).slice(0, killedAt.length), 'the recording is the clip from its first frame');

  // A new recorder on the same directory closes the segment at its last complete fragment.
  const hub = new Hub();
  const rec = new Recorder(hub, recorderOptions(dir));
  await rec.start();
  await rec.close();
  await hub.close();
  const [after1] = await store.list('cam', 0, Number.MAX_SAFE_INTEGER);
  assert.equal(after1.open, false);
  assert.equal(after1.frames, ffprobeFrames(after1.path));
  assert.ok(after1.frames >= scanned.frames);
  assert.equal(decodeErrors(after1.path), '', 'no torn box left at the end');
  assert.ok(after1.endUs > after1.startUs + 2.9e6, 'the index carries the wall-clock span');
});
