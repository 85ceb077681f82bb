import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Hub } from '../../../src/hub/hub.js';
import { TestSource } from '../../../src/sources/testsrc/testsrc.js';
import { isCamwireError } from '../../../src/util/errors.js';

test('the test pattern publishes paced JPEG frames of the requested size, then ends after --frames', async () => {
  const hub = new Hub();
  const r = hub.read('t');
  const src = new TestSource({ width: 320, height: 240, fps: 20, quality: 70, frames: 10 });
  const t0 = Date.now();
  await src.start(hub.publish('t'));
  const frames = [];
  for await (const f of r) frames.push(f);
  const elapsed = Date.now() - t0;
  // On a loaded machine the source skips frames it is too late for and the reader may drop
  // one it did not take in time; every frame number is accounted for either way.
  const seqs = frames.map((f) => f.seq);
  const last = seqs[seqs.length - 1];
  assert.ok(frames.length >= 2, `${frames.length} frames`);
  assert.equal(seqs[0], 0);
  assert.ok(last >= 9, `the last frame number ${last} reaches --frames`);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `frame numbers increase: ${seqs}`);
  assert.equal(frames.length + r.dropped + src.late, last + 1, `delivered ${frames.length} + dropped ${r.dropped} + skipped ${src.late}`);
  await src.done; // ended by itself after --frames
  // Paced, not bursted: frames up to number `last` at 20 fps span at least `last` intervals.
  assert.ok(elapsed >= last * 50 - 20, `took ${elapsed} ms`);
  for (const f of frames) {
    assert.equal(f.codec, 'mjpeg');
    assert.equal(f.keyframe, true);
    const m = await sharp(f.payload).metadata();
    assert.deepEqual([m.format, m.width, m.height], ['jpeg', 320, 240]);
  }
  for (let i = 1; i < frames.length; i++) assert.ok(frames[i].captureUs > frames[i - 1].captureUs);
});

test('close() stops the pattern at once and is idempotent; done resolves', async () => {
  const hub = new Hub();
  const r = hub.read('t');
  const src = new TestSource({ width: 160, height: 120, fps: 50, quality: 70 });
  await src.start(hub.publish('t'));
  assert.ok(await r.ready());
  await Promise.all([src.close(), src.close()]);
  await src.done;
  r.take(); // the frame waiting in the slot, if any
  const before = r.framesOut + r.dropped;
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(r.framesOut + r.dropped, before, 'no frame after close()');
  await hub.close();
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

test('--timecode draws each frame\'s own capture time, readable from the JPEG it publishes', async () => {
  const { readTimecode } = await import('../../../src/codecs/timecode.js');
  const src = new TestSource({ width: 640, height: 360, fps: 30, quality: 80, timecode: true });
  const plain = new TestSource({ width: 640, height: 360, fps: 30, quality: 80 });
  for (let i = 0; i < 5; i++) {
    const f = await src.render(i, 't');
    const { data, info } = await sharp(f.payload).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.equal(readTimecode({ data, width: info.width, height: info.height, channels: 1 }, f.captureUs), f.captureUs);
    const p = await plain.render(i, 't');
    const q = await sharp(p.payload).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.equal(readTimecode({ data: q.data, width: 640, height: 360, channels: 1 }, p.captureUs), undefined, 'no strip without --timecode');
  }
});
