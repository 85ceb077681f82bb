import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeEqual } from '../../src/auth/index.js';

test('safeEqual: equal only for the same bytes, whatever the lengths and types', () => {
  const cases: [string | Buffer, string | Buffer, boolean][] = [
    ['secret', 'secret', true],
    ['secret', 'Secret', false],
    ['secret', 'secret ', false],
    ['', '', true],
    ['', 'x', false],
    ['x', '', false],
    ['é', Buffer.from('é'), true],
    [Buffer.from([0]), Buffer.from([]), false],
    [Buffer.alloc(32, 7), Buffer.alloc(32, 7), true],
    [Buffer.alloc(32, 7), Buffer.alloc(64, 7), false],
    ['a'.repeat(100_000), 'a'.repeat(100_000), true],
  ];
  for (const [a, b, want] of cases) assert.equal(safeEqual(a, b), want, `${String(a).slice(0, 10)} vs ${String(b).slice(0, 10)}`);
});
