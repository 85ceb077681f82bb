import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAnnexB, START_CODE } from '../../src/codecs/h264-join.js';
import { splitAnnexB } from '../../src/codecs/h264-nal.js';

test('joinAnnexB writes a 4-byte start code before every NAL', () => {
  const out = joinAnnexB([Buffer.from([0x67, 1, 2]), Uint8Array.from([0x68, 3])]);
  assert.deepEqual([...out], [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3]);
  assert.deepEqual([...START_CODE], [0, 0, 0, 1]);
  assert.equal(joinAnnexB([]).length, 0);
});

test('split then join round-trips NAL units', () => {
  const nals = [Buffer.from([0x67, 0x42, 0, 0x1e]), Buffer.from([0x68, 0xce]), Buffer.from([0x65, 0x88, 0x84, 0, 0, 3, 1])];
  assert.deepEqual(splitAnnexB(joinAnnexB(nals)), nals);
});
