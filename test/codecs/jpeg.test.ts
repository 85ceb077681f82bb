import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isJpeg, jpegSize } from '../../src/codecs/jpeg.js';
import { jpegOf } from '../helpers/frames.js';

test('jpegSize reads the SOF size of real JPEGs', async () => {
  for (const [w, h] of [[1, 1], [320, 240], [1280, 720], [4000, 16]]) {
    const j = await jpegOf(w, h);
    assert.ok(isJpeg(j));
    assert.deepEqual(jpegSize(j), { width: w, height: h });
  }
});

test('jpegSize returns undefined, never throws, on every truncation of a JPEG', async () => {
  const j = await jpegOf(64, 48);
  const sof = jpegSize(j);
  for (let i = 0; i < j.length; i++) {
    const r = jpegSize(j.subarray(0, i));
    assert.ok(r === undefined || (r.width === sof!.width && r.height === sof!.height));
  }
});

test('isJpeg rejects non-JPEG and truncated input', () => {
  for (const b of [Buffer.alloc(0), Buffer.from([0xff, 0xd8]), Buffer.from('hello world'), Buffer.from([0xff, 0xd8, 0, 0])]) assert.equal(isJpeg(b), false);
});
