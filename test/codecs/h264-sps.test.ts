import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NalType, nalType, splitAnnexB, BitReader } from '../../src/codecs/h264-nal.js';
import { avcCodecString, codecStringOf, parseSps } from '../../src/codecs/h264-sps.js';
import { ffmpegBytes, testsrc } from '../../support/media.js';
import { requireTool } from '../helpers/tools.js';

function sps(size: string, codecArgs: string[]): Buffer {
  const out = ffmpegBytes([...testsrc(size, 10, 0.1), '-c:v', 'libx264', ...codecArgs, '-f', 'h264']);
  const n = splitAnnexB(out).find((x) => nalType(x) === NalType.SPS);
  assert.ok(n, 'x264 wrote an SPS');
  return n;
}

const CASES: { name: string; size: string; args: string[]; width: number; height: number; codec: RegExp }[] = [
  { name: 'constrained baseline 720p (ultrafast)', size: '1280x720', args: ['-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], width: 1280, height: 720, codec: /^avc1\.42C01F$/ },
  { name: '1080p, cropped from 1088 lines', size: '1920x1080', args: ['-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], width: 1920, height: 1080, codec: /^avc1\.42C028$/ },
  { name: 'odd size cropped on both axes', size: '98x62', args: ['-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], width: 98, height: 62, codec: /^avc1\.42C0/ },
  { name: 'high profile with scaling matrices', size: '320x240', args: ['-preset', 'fast', '-pix_fmt', 'yuv420p', '-x264-params', 'cqm=jvt'], width: 320, height: 240, codec: /^avc1\.6400/ },
  { name: 'high 4:4:4', size: '176x144', args: ['-preset', 'ultrafast', '-pix_fmt', 'yuv444p'], width: 176, height: 144, codec: /^avc1\.F400/ },
  { name: 'interlaced (field coding)', size: '720x576', args: ['-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-flags', '+ildct+ilme', '-x264-params', 'interlaced=1'], width: 720, height: 576, codec: /^avc1\.(42|4D|64)/ },
];

for (const c of CASES) {
  test(`reads size and codec string of a real SPS: ${c.name}`, (t) => {
    if (!requireTool(t, 'ffmpeg')) return;
    const p = parseSps(sps(c.size, c.args));
    assert.ok(p, 'parsed');
    assert.equal(p.width, c.width);
    assert.equal(p.height, c.height);
    assert.match(avcCodecString(p), c.codec);
  });
}

test('returns undefined for a truncated SPS at every length, never throws', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const full = sps('1280x720', ['-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  for (let n = 0; n < full.length - 2; n++) {
    const p = parseSps(full.subarray(0, n));
    if (p) assert.ok(p.width >= 1 && p.height >= 1, `length ${n}`); // a cut in trailing bits can still parse
  }
  assert.equal(parseSps(Buffer.from([0x68, 0x42, 0, 0x1f])), undefined, 'not an SPS');
});

test('gives the codec string of a keyframe access unit for a WebCodecs decoder', (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const au = ffmpegBytes([...testsrc('1280x720', 10, 0.1), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'h264']);
  assert.equal(codecStringOf(au), 'avc1.42C01F');
  assert.equal(codecStringOf(Buffer.from([0, 0, 0, 1, 0x65, 0x88])), undefined);
});

test('builds codec strings with two upper-case hex digits per byte', () => {
  assert.equal(avcCodecString({ profileIdc: 66, constraintFlags: 0xe0, levelIdc: 31 }), 'avc1.42E01F');
  assert.equal(avcCodecString({ profileIdc: 100, constraintFlags: 0, levelIdc: 9 }), 'avc1.640009');
});

test('reads exp-Golomb codes and rejects codes longer than 32 bits', () => {
  // 1 | 010 | 011 | 00100 | 00101 → ue 0, 1, 2, 3; se(4) = -2
  const r = new BitReader(Uint8Array.from([0b10100110, 0b01000010, 0b10000000]));
  assert.deepEqual([r.ue(), r.ue(), r.ue(), r.ue(), r.se()], [0, 1, 2, 3, -2]);
  assert.throws(() => new BitReader(new Uint8Array(8)).ue(), RangeError);
  assert.throws(() => new BitReader(new Uint8Array(0)).bit(), RangeError);
});
