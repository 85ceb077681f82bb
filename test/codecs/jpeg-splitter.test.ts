import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isJpeg, jpegSize } from '../../src/codecs/jpeg.js';
import { JpegSplitter } from '../../src/codecs/jpeg-splitter.js';
import { ffmpegBytes, testsrc } from '../../support/media.js';
import { everyOffset, randomChunks, runSplitter } from '../../support/split.js';
import { requireTool } from '../helpers/tools.js';

const MAX = 1 << 20;
const make = () => new JpegSplitter(MAX);

/** jpeg builds a minimal structurally valid JPEG with the given extra segments and scan bytes. */
function jpeg(segments: number[][], scan: number[]): Buffer {
  const sof = [0xff, 0xc0, 0, 11, 8, 0, 16, 0, 32, 1, 1, 0x11, 0];
  const sos = [0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0];
  return Buffer.from([0xff, 0xd8, ...segments.flat(), ...sof, ...sos, ...scan, 0xff, 0xd9]);
}

test('splits real ffmpeg MJPEG output into its pictures when cut at every offset', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const input = ffmpegBytes([...testsrc('64x48', 10, 0.3), '-c:v', 'mjpeg', '-q:v', '5', '-f', 'mjpeg']);
  const whole = runSplitter(make, [input]);
  assert.equal(whole.length, 3);
  assert.deepEqual(Buffer.concat(whole), input);
  for (const p of whole) {
    assert.ok(isJpeg(p));
    assert.deepEqual(jpegSize(p), { width: 64, height: 48 });
  }
  everyOffset(make, input, (units, k) => assert.deepEqual(units, whole, `cut at ${k}`));
});

test('splits a larger stream fed in random chunks exactly like in one piece', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const input = ffmpegBytes([...testsrc('320x240', 10, 1), '-c:v', 'mjpeg', '-f', 'mjpeg']);
  const whole = runSplitter(make, [input]);
  assert.equal(whole.length, 10);
  for (const max of [1, 7, 1000, 70000]) assert.deepEqual(runSplitter(make, randomChunks(input, max, max)), whole);
});

test('does not end a picture at an FF D9 inside a segment or stuffed scan data', () => {
  const comment = [0xff, 0xfe, 0, 6, 0xff, 0xd9, 0xff, 0xd8]; // COM holding fake EOI and SOI
  const scan = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff, 0x00, 0x78]; // stuffing, RST, fill
  const a = jpeg([comment], scan);
  const b = jpeg([], [1, 2, 3]);
  const input = Buffer.concat([a, b]);
  everyOffset(make, input, (units, k) => assert.deepEqual(units, [a, b], `cut at ${k}`));
});

test('follows a progressive JPEG through several scans', () => {
  const dht = [0xff, 0xc4, 0, 4, 0, 0];
  const p = Buffer.concat([jpeg([], [1, 2]).subarray(0, -2), Buffer.from([...dht, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 9, 9, 0xff, 0xd9])]);
  assert.deepEqual(runSplitter(make, [p]), [p]);
});

test('skips garbage before, between and inside pictures and resynchronises at the next SOI', () => {
  const a = jpeg([], [1, 2, 3]);
  const truncated = a.subarray(0, a.length - 3); // cut off inside the scan data
  const input = Buffer.concat([Buffer.from([0, 0xff, 0x12, 0xff]), a, Buffer.from('junk'), truncated, a, Buffer.from([0xff, 0xd8, 0x00])]);
  everyOffset(make, input, (units, k) => assert.deepEqual(units, [a, a], `cut at ${k}`));
});

test('drops a picture larger than maxBytes without buffering it, counts it, and carries on', () => {
  const big = jpeg([[0xff, 0xe1, 0x10, 0x02, ...new Array(0x1000).fill(7)]], [1]);
  const small = jpeg([], [1, 2]);
  const s = new JpegSplitter(1000);
  const out = [...s.push(Buffer.concat([big, small, big, small]), 0), ...s.end()];
  assert.deepEqual(out.map((u) => u.payload), [small, small]);
  assert.equal(s.oversized, 2);
});

test('stamps each picture with the arrival time of its first byte', () => {
  const a = jpeg([], [1, 2, 3]);
  const s = new JpegSplitter(MAX);
  assert.deepEqual(s.push(a.subarray(0, 5), 100), []);
  const [u] = s.push(a.subarray(5), 200);
  assert.equal(u.firstByteUs, 100);
});
