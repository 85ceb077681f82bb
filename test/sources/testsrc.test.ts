import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Hub } from '../../src/hub/hub.js';
import { TestSource } from '../../src/sources/testsrc/testsrc.js';
import { isCamwireError } from '../../src/util/errors.js';

test('the test pattern publishes paced JPEG frames of the requested size, then ends after --frames', async () => {
  const hub = new Hub();
  const r = hub.read('t');
  const src = new TestSource({ width: 320, height: 240, fps: 20, quality: 70, frames: 10 });
  const t0 = Date.now();
  await src.start(hub.publish('t'));
  const frames = [];
  for await (const f of r) frames.push(f);
  const elapsed = Date.now() - t0;
  assert.equal(frames.length, 10);
  assert.deepEqual(frames.map((f) => f.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Paced, not bursted: 10 frames at 20 fps span at least 9 intervals.
  assert.ok(elapsed >= 9 * 50 - 20, `took ${elapsed} ms`);
  for (const f of frames) {
    assert.equal(f.codec, 'mjpeg');
    assert.equal(f.keyframe, true);
    const m = await sharp(f.payload).metadata();
    assert.deepEqual([m.format, m.width, m.height], ['jpeg', 320, 240]);
  }
  for (let i = 1; i < frames.length; i++) assert.ok(frames[i].captureUs > frames[i - 1].captureUs);
});

test('consecutive frames differ (the pattern moves and the frame number is burnt in)', async () => {
  const src = new TestSource({ width: 160, height: 120, fps: 30, quality: 80 });
  const a = await src.render(1);
  const b = await src.render(2);
  const [ra, rb] = await Promise.all([a, b].map((f) => sharp(f.payload).raw().toBuffer()));
  let diff = 0;
  for (let i = 0; i < ra.length; i++) if (Math.abs(ra[i] - rb[i]) > 40) diff++;
  assert.ok(diff > 100, `only ${diff} bytes changed`);
});

test('out-of-range options are refused with a config error', () => {
  for (const o of [{ width: 8, height: 8 }, { fps: 0 }, { quality: 101 }]) {
    assert.throws(() => new TestSource({ width: 320, height: 240, fps: 30, quality: 80, ...o }), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG'));
  }
});
