import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitReader, firstMbInSlice, isVcl, NalType, nalType, splitAnnexB, unescapeRbsp } from '../../src/codecs/h264-nal.js';

test('splitAnnexB accepts 3- and 4-byte start codes and drops trailing zeros and empty units', () => {
  const b = Buffer.from([0, 0, 0, 1, 0x67, 9, 0, 0, 1, 0x68, 8, 0, 0, 0, 1, 0, 0, 1, 0x65, 7, 0, 0]);
  assert.deepEqual(splitAnnexB(b).map((n) => [...n]), [[0x67, 9], [0x68, 8], [0x65, 7]]);
  assert.deepEqual(splitAnnexB(Buffer.from([1, 2, 3])), [], 'no start code: no NAL');
});

test('nalType reads the low five bits; VCL types are 1–5', () => {
  assert.equal(nalType(Uint8Array.from([0x67])), NalType.SPS);
  assert.equal(nalType(Uint8Array.from([0x68])), NalType.PPS);
  assert.equal(nalType(Uint8Array.from([0x65])), NalType.IDR);
  assert.ok(isVcl(NalType.IDR) && isVcl(1) && !isVcl(NalType.SPS) && !isVcl(0) && !isVcl(6));
});

test('unescapeRbsp removes only the 03 that follows two zeros', () => {
  assert.deepEqual([...unescapeRbsp(Uint8Array.from([0, 0, 3, 1, 0, 3, 0, 0, 3, 0, 0, 0, 3]))], [0, 0, 1, 0, 3, 0, 0, 0, 0, 0]);
});

test('BitReader reads bits, ue and se exp-Golomb codes, and throws RangeError past the end', () => {
  // 1 | 010 | 011 | 00100 | 00101 … : ue = 0, 1, 2, 3, 4
  const r = new BitReader(Uint8Array.from([0b10100110, 0b01000010, 0b10000000]));
  assert.deepEqual([r.ue(), r.ue(), r.ue(), r.ue(), r.ue()], [0, 1, 2, 3, 4]);
  const s = new BitReader(Uint8Array.from([0b01001100, 0b10000000])); // se: 1, -1, 2? (010 → 1, 011 → -1, 00100 → 2)
  assert.deepEqual([s.se(), s.se(), s.se()], [1, -1, 2]);
  const t = new BitReader(Uint8Array.from([0xa5]));
  assert.equal(t.bits(8), 0xa5);
  assert.throws(() => t.bit(), RangeError);
  assert.throws(() => new BitReader(new Uint8Array(5)).ue(), RangeError, 'too many leading zeros');
});

test('firstMbInSlice reads 0 for a picture\'s first slice, more for later slices, -1 for garbage', () => {
  assert.equal(firstMbInSlice(Uint8Array.from([0x65, 0b10000000])), 0);
  assert.equal(firstMbInSlice(Uint8Array.from([0x41, 0b00100000])), 3);
  assert.equal(firstMbInSlice(Uint8Array.from([0x41])), -1);
});
