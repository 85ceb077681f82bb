import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../src/hub/hub.js';
import { ffplayArgs, FfplayWindow, requireFfplay } from '../../src/sinks/ffplay.js';
import { isCamwireError } from '../../src/util/errors.js';
import { ffmpegBytes } from '../../support/media.js';
import { runSplitter } from '../../support/split.js';
import { requireTool } from '../helpers/tools.js';
import { JpegSplitter } from '../../src/codecs/jpeg-splitter.js';

// A real ffplay, with SDL's dummy drivers: no display needed, everything else as on a desktop.
process.env.SDL_VIDEODRIVER = 'dummy';
process.env.SDL_AUDIODRIVER = 'dummy';

test('ffplay reads the codec raw from stdin, paced by the pipe, and quits at its end', () => {
  const a = ffplayArgs('h264', 'camwire: x');
  assert.deepEqual(a.slice(a.indexOf('-f'), a.indexOf('-f') + 2), ['-f', 'h264']);
  assert.deepEqual(ffplayArgs('mjpeg', 't').slice(-2), ['-i', 'pipe:0']);
  for (const flag of ['-autoexit', '-framedrop', 'nobuffer']) assert.ok(a.includes(flag), flag);
  assert.equal(a[a.indexOf('-window_title') + 1], 'camwire: x');
});

test('a missing ffplay is one CAMWIRE_ERR_FFMPEG_MISSING that says what to do', () => {
  assert.throws(() => requireFfplay('/nonexistent/ffplay'), (e) => isCamwireError(e, 'CAMWIRE_ERR_FFMPEG_MISSING') && /apt install ffmpeg/.test((e as Error).message));
});

test('FfplayWindow plays a stream to its end: ffplay exits 0 after the publisher ends', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffplay') || !requireTool(t, 'ffmpeg')) return;
  const jpegs = runSplitter(() => new JpegSplitter(1 << 20), [ffmpegBytes(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10', '-frames:v', '10', '-f', 'mjpeg'])]);
  const hub = new Hub();
  const pub = hub.publish('s');
  const win = new FfplayWindow(hub.read('s'), 'test');
  await win.start();
  jpegs.forEach((payload, seq) => pub.publish({ stream: 's', codec: 'mjpeg', keyframe: true, seq, captureUs: 0, width: 64, height: 48, payload }));
  pub.end();
  assert.equal(await win.done, 0);
  await win.close();
  await hub.close();
});

test('close() before any frame ends it without starting ffplay; close() during play closes the window; both idempotent', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffplay') || !requireTool(t, 'ffmpeg')) return;
  const hub = new Hub();
  const idle = new FfplayWindow(hub.read('none'), 'idle');
  await idle.start();
  await Promise.all([idle.close(), idle.close()]);
  assert.equal(await idle.done, 0);

  const [jpeg] = runSplitter(() => new JpegSplitter(1 << 20), [ffmpegBytes(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10', '-frames:v', '1', '-f', 'mjpeg'])]);
  const pub = hub.publish('live');
  const reader = hub.read('live');
  const win = new FfplayWindow(reader, 'live');
  await win.start();
  pub.publish({ stream: 'live', codec: 'mjpeg', keyframe: true, seq: 0, captureUs: 0, width: 64, height: 48, payload: jpeg });
  await new Promise((r) => setTimeout(r, 300)); // the window is open, waiting for more
  await win.close();
  await win.close();
  assert.equal(typeof (await win.done), 'number', 'ffplay exited');
  assert.equal(await reader.next(), undefined, 'the reader is closed');
  await hub.close();
});
