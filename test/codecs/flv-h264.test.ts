import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlvH264Splitter } from '../../src/codecs/flv-h264.js';
import { H264Framer } from '../../src/codecs/h264-framer.js';
import { H264Splitter } from '../../src/codecs/h264-splitter.js';
import { isCamwireError } from '../../src/util/errors.js';
import { ffmpegBytes, testsrc } from '../../support/media.js';
import { everyOffset, runSplitter } from '../../support/split.js';
import { requireTool } from '../helpers/tools.js';
import { X264_LIVE_ARGS } from '../../src/sources/ffmpeg/args.js';

const make = () => new FlvH264Splitter(1 << 20);

function encode(format: 'flv' | 'h264', params: string): Buffer {
  return ffmpegBytes([...testsrc('64x48', 10, 1), ...X264_LIVE_ARGS, '-threads', '1', '-g', '5', '-x264-params', params, '-f', format]);
}

function pictures(units: Buffer[]) {
  const f = new H264Framer();
  return units.map((u) => f.frame(u)).filter((p) => p !== undefined);
}

test('reads real ffmpeg FLV into the same pictures as the Annex B stream of the same encode', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const flv = pictures(runSplitter(make, [encode('flv', 'repeat-headers=1')]));
  const annexB = pictures(runSplitter(() => new H264Splitter(1 << 20), [encode('h264', 'repeat-headers=1')]));
  assert.equal(flv.length, 10);
  assert.deepEqual(flv.map((p) => p.keyframe), annexB.map((p) => p.keyframe));
  assert.deepEqual(flv.map((p) => [p.width, p.height]), annexB.map((p) => [p.width, p.height]));
});

test('turns the FLV header record into SPS/PPS that keyframes get when x264 does not repeat them', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const pics = pictures(runSplitter(make, [encode('flv', 'repeat-headers=0')]));
  assert.deepEqual(pics.map((p) => p.keyframe), [true, false, false, false, false, true, false, false, false, false]);
});

test('gives the same units when the FLV stream is cut at every offset', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const input = encode('flv', 'repeat-headers=1');
  const whole = runSplitter(make, [input]);
  everyOffset(make, input, (units, k) => assert.deepEqual(units, whole, `cut at ${k}`));
});

test('rejects a tag whose declared size exceeds maxBytes before buffering its body', () => {
  const s = new FlvH264Splitter(1000);
  const header = Buffer.from([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);
  const tag = Buffer.from([9, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // 1 MiB of video declared
  assert.deepEqual(s.push(header, 0), []);
  assert.throws(() => s.push(tag, 0), (e) => isCamwireError(e, 'CAMWIRE_ERR_FRAME_TOO_LARGE'));
});

test('rejects input that is not FLV and a NAL length running past its tag', () => {
  assert.throws(() => make().push(Buffer.from('GIF89a-not-flv'), 0), (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_FRAME'));
  const header = Buffer.from([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);
  const body = Buffer.from([0x27, 1, 0, 0, 0, 0, 0, 0, 50, 0x65, 0x88]); // key AVC NALU, length 50 but 2 bytes
  const tag = Buffer.concat([Buffer.from([9, 0, 0, body.length, 0, 0, 0, 0, 0, 0, 0]), body, Buffer.from([0, 0, 0, 0])]);
  assert.throws(() => make().push(Buffer.concat([header, tag]), 0), (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_FRAME'));
});
