import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nowUs } from '../../src/util/clock.js';

test('nowUs is the wall clock in whole microseconds, on Date.now()\'s scale', () => {
  const before = Date.now();
  const us = nowUs();
  const after = Date.now();
  assert.ok(Number.isInteger(us));
  assert.ok(us >= (before - 5) * 1000 && us <= (after + 5) * 1000, `${us} between ${before} and ${after} ms`);
  assert.ok(Number.isSafeInteger(us));
});

test('nowUs never goes backwards and resolves below a millisecond', () => {
  let prev = nowUs();
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) {
    const t = nowUs();
    assert.ok(t >= prev);
    seen.add(t % 1000);
    prev = t;
  }
  assert.ok(seen.size > 1, 'sub-millisecond digits vary');
});
