import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkQueue } from '../../src/codecs/chunk-queue.js';
import { Prng } from '../../support/prng.js';

test('take returns exactly the bytes pushed, in order, whatever the chunk and request sizes', () => {
  const rng = new Prng(3);
  for (let round = 0; round < 200; round++) {
    const input = rng.bytes(1 + rng.int(2000));
    const q = new ChunkQueue();
    for (let off = 0; off < input.length; ) {
      const n = rng.int(100); // includes empty chunks
      q.push(input.subarray(off, off + n));
      off += n;
    }
    assert.equal(q.length, input.length);
    const parts: Buffer[] = [];
    while (q.length > 0) parts.push(q.take(Math.min(q.length, rng.int(150))));
    assert.deepEqual(Buffer.concat(parts), input);
  }
});

test('a request inside the first chunk is a view of it, not a copy', () => {
  const chunk = Buffer.from('abcdef');
  const q = new ChunkQueue();
  q.push(chunk);
  const head = q.take(2);
  assert.equal(head.buffer, chunk.buffer, 'same memory');
  assert.equal(head.toString(), 'ab');
  assert.equal(q.take(4).toString(), 'cdef');
  assert.equal(q.length, 0);
});

test('taking more than is held is a RangeError and changes nothing; clear empties it', () => {
  const q = new ChunkQueue();
  q.push(Buffer.from('abc'));
  assert.throws(() => q.take(4), RangeError);
  assert.equal(q.length, 3);
  assert.equal(q.take(0).length, 0);
  q.clear();
  assert.equal(q.length, 0);
});
