import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { Hub } from '../../src/hub/hub.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { RecordingStore } from '../../src/recordings/store.js';
import { setLogLevel } from '../../src/util/logger.js';
import { h264Frames } from '../../support/h264.js';
import { ffprobeFrames, tempDir } from '../../support/media.js';
import { decodeErrors, frameMd5s, FRAME_US, publishTimed, recorderOptions } from '../helpers/recordings.js';
import { requireTool } from '../helpers/tools.js';
import { renderFrames } from '../../support/replay.js';

setLogLevel('error');
const tmp = tempDir();
after(() => tmp.cleanup());

const BASE_US = Date.UTC(2026, 10, 29, 1, 30, 0) * 1000;

test('H.264 is recorded without re-encoding: segments cut at keyframes decode frame for frame with continuous wall-clock spans', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const frames = h264Frames({ width: 320, height: 240, fps: 30, frames: 150, gop: 30 }, 'cam');
  const dir = tmp.file('h264');
  const hub = new Hub();
  const rec = new Recorder(hub, recorderOptions(dir, { segmentMs: 2000 }));
  await rec.start();
  const pub = hub.publish('cam');
  await publishTimed(pub, frames, BASE_US);
  await rec.close();
  await hub.close();

  const segs = await new RecordingStore(dir).list('cam', BASE_US, BASE_US + 10e6);
  assert.equal(segs.length, 3, 'keyframes each second, 2 s segments: 0–2 s, 2–4 s, 4–5 s');
  assert.equal(segs[0].startUs, BASE_US);
  for (let i = 1; i < segs.length; i++) assert.ok(Math.abs(segs[i].startUs - segs[i - 1].endUs) <= 1, `segment ${i} starts where ${i - 1} ends`);
  assert.ok(Math.abs(segs[segs.length - 1].endUs - (BASE_US + 150 * FRAME_US)) <= 10, 'the last frame lasts one frame interval');
  assert.deepEqual(segs.map((s) => s.frames), [60, 60, 30]);
  const original = tmp.file('cam.h264');
  writeFileSync(original, Buffer.concat(frames.map((f) => f.payload)));
  const want = frameMd5s(original, 'h264');
  const got = segs.flatMap((s) => {
    assert.equal(decodeErrors(s.path), '', s.path);
    assert.equal(ffprobeFrames(s.path), s.frames);
    return frameMd5s(s.path);
  });
  assert.equal(got.length, 150);
  assert.deepEqual(got, want);
});

test('MJPEG is recorded into the same fMP4 container: every JPEG decodes, pictures unchanged', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const frames = await renderFrames({ width: 320, height: 240, fps: 30, quality: 80 }, 45, 'jpg');
  const dir = tmp.file('mjpeg');
  const hub = new Hub();
  const rec = new Recorder(hub, recorderOptions(dir, { segmentMs: 1000 }));
  await rec.start();
  await publishTimed(hub.publish('jpg'), frames, BASE_US);
  await rec.close();
  await hub.close();
  const segs = await new RecordingStore(dir).list('jpg', 0, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(segs.map((s) => s.frames), [30, 15]);
  const original = tmp.file('jpg.mjpeg');
  writeFileSync(original, Buffer.concat(frames.map((f) => f.payload)));
  const got = segs.flatMap((s) => {
    assert.equal(decodeErrors(s.path), '', s.path);
    return frameMd5s(s.path);
  });
  assert.deepEqual(got, frameMd5s(original, 'mjpeg'));
});
