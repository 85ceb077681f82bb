import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, crc32Portable } from '../../src/util/crc32.js';
import { Prng } from '../../support/prng.js';

test('known check values: "123456789" is 0xCBF43926, empty is 0', () => {
  for (const f of [crc32, crc32Portable]) {
    assert.equal(f(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(f(Buffer.alloc(0)), 0);
    assert.equal(f(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  }
});

test('the portable and native versions agree, also when continuing from a previous value', () => {
  const rng = new Prng(7);
  for (let i = 0; i < 200; i++) {
    const b = rng.bytes(rng.int(3000));
    const cut = rng.int(b.length + 1);
    assert.equal(crc32Portable(b), crc32(b));
    assert.equal(crc32Portable(b.subarray(cut), crc32Portable(b.subarray(0, cut))), crc32(b), 'continued = whole');
  }
});

test('one flipped bit changes the checksum', () => {
  const b = Buffer.from('camwire frame payload');
  const c = crc32(b);
  b[3] ^= 0x10;
  assert.notEqual(crc32(b), c);
});
