import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { H264Framer } from '../../src/codecs/h264-framer.js';
import { NalType, nalType, splitAnnexB } from '../../src/codecs/h264-nal.js';
import { joinAnnexB } from '../../src/codecs/h264-join.js';
import { H264Splitter } from '../../src/codecs/h264-splitter.js';
import { ffmpegBytes, ffprobeFrames, tempDir, testsrc } from '../../support/media.js';
import { everyOffset, randomChunks, runSplitter } from '../../support/split.js';
import { requireTool } from '../helpers/tools.js';
import { X264_LIVE_ARGS } from '../../src/sources/ffmpeg/args.js';

const make = () => new H264Splitter(1 << 20);
const tmp = tempDir();
after(() => tmp.cleanup());

function encode(size: string, frames: number, x264params: string, gop = 5): Buffer {
  return ffmpegBytes([...testsrc(size, 10, frames / 10), ...X264_LIVE_ARGS, '-threads', '1', '-g', String(gop), '-x264-params', x264params, '-f', 'h264']);
}

function types(au: Buffer): number[] {
  return splitAnnexB(au).map(nalType);
}

test('cuts real x264 output into one access unit per picture when cut at every offset', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const input = encode('64x48', 12, 'repeat-headers=1');
  const whole = runSplitter(make, [input]);
  assert.equal(whole.length, 12);
  everyOffset(make, input, (units, k) => assert.deepEqual(units, whole, `cut at ${k}`));
});

test('finds picture boundaries by AUD, by parameter sets and by first_mb_in_slice of multi-slice pictures', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  // Without AUDs, P pictures are told apart only by first_mb_in_slice.
  for (const params of ['repeat-headers=1:aud=1', 'repeat-headers=1:slices=4', 'repeat-headers=1']) {
    const input = encode('320x240', 20, params);
    const file = tmp.file('all.h264');
    writeFileSync(file, input);
    const aus = runSplitter(make, randomChunks(input, 3000, 7));
    assert.equal(aus.length, ffprobeFrames(file), params);
    assert.equal(aus.length, 20, params);
    if (params.includes('slices=4')) for (const au of aus) assert.equal(types(au).filter((x) => x === 1 || x === 5).length, 4);
    if (params.includes('aud=1')) for (const au of aus) assert.equal(types(au)[0], NalType.AUD);
  }
});

test('flags exactly the IDR access units as keyframes, each decodable on its own', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const input = encode('160x120', 15, 'repeat-headers=1');
  const framer = new H264Framer();
  const pics = runSplitter(make, [input]).map((au) => framer.frame(au)!);
  assert.deepEqual(pics.map((p) => p.keyframe), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((i) => i % 5 === 0));
  pics.forEach((p, i) => {
    assert.equal(p.width, 160);
    assert.equal(p.height, 120);
    if (!p.keyframe) return;
    const t0 = types(p.payload);
    assert.ok(t0.includes(NalType.SPS) && t0.includes(NalType.PPS) && t0.includes(NalType.IDR), `keyframe ${i}: ${t0}`);
    const file = tmp.file(`key-${i}.h264`);
    writeFileSync(file, p.payload);
    assert.equal(ffprobeFrames(file), 1, `keyframe ${i} decodes alone`);
  });
});

test('puts remembered SPS/PPS into keyframes of a stream that sends them only once', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const aus = runSplitter(make, [encode('160x120', 10, 'repeat-headers=1')]);
  // Keep SPS/PPS only in the first access unit, like a camera that announces them once.
  const once = aus.map((au, i) => (i === 0 ? au : joinAnnexB(splitAnnexB(au).filter((n) => nalType(n) !== NalType.SPS && nalType(n) !== NalType.PPS))));
  assert.ok(!types(once[5]).includes(NalType.SPS));
  const framer = new H264Framer();
  const pics = once.map((au) => framer.frame(au)!);
  const second = pics[5];
  assert.ok(second.keyframe);
  const file = tmp.file('second-gop.h264');
  writeFileSync(file, Buffer.concat(pics.slice(5).map((p) => p.payload)));
  assert.equal(ffprobeFrames(file), 5, 'decoding can start at the second keyframe');
});

test('drops an access unit larger than maxBytes, counts it, and finds the next one', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const input = encode('320x240', 10, 'repeat-headers=1', 100);
  const all = runSplitter(make, [input]);
  const limit = Math.max(...all.slice(1).map((a) => a.length)) + 10;
  assert.ok(all[0].length > limit, 'the first (IDR) access unit is the big one');
  const s = new H264Splitter(limit);
  const got = [...randomChunks(input, 500, 3).flatMap((c) => s.push(c, 0)), ...s.end()].map((u) => u.payload);
  assert.equal(s.oversized, 1);
  assert.deepEqual(got, all.slice(1));
});

test('ignores bytes before the first start code and trailing zeros at the end', () => {
  const au = Buffer.from([0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 1, 0x65, 0x88, 9]);
  const out = runSplitter(make, [Buffer.concat([Buffer.from([9, 9, 0, 0]), au, Buffer.from([0, 0, 0])])]);
  assert.deepEqual(out, [Buffer.from([0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 0x88, 9])]);
});
