import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.js';
import { Backoff } from '../../src/util/backoff.js';

test('delays double from initialMs up to maxMs, each jittered into [50 %, 100 %] of its base', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000 });
  const bases = [100, 200, 400, 800, 1000, 1000, 1000];
  for (const [i, base] of bases.entries()) {
    const d = b.next();
    assert.ok(d >= base / 2 && d <= base, `attempt ${i}: ${d} within [${base / 2}, ${base}]`);
  }
  assert.equal(b.attempts, bases.length);
});

test('the jitter spreads: a thousand first delays are not all the same', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(new Backoff({ initialMs: 1000, maxMs: 1000 }).next());
  assert.ok(seen.size > 100, `${seen.size} distinct delays`);
});

test('reset starts over at initialMs', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 10_000 });
  for (let i = 0; i < 6; i++) b.next();
  b.reset();
  assert.equal(b.attempts, 0);
  assert.ok(b.next() <= 100);
});

test('without options it uses the reconnect defaults of the config', () => {
  const b = new Backoff();
  const first = b.next();
  assert.ok(first >= DEFAULTS.reconnectInitialMs / 2 && first <= DEFAULTS.reconnectInitialMs, String(first));
  for (let i = 0; i < 30; i++) assert.ok(b.next() <= DEFAULTS.reconnectMaxMs);
});

test('a huge attempt count never overflows into Infinity or NaN', () => {
  const b = new Backoff({ initialMs: 1, maxMs: 50 });
  for (let i = 0; i < 5000; i++) {
    const d = b.next();
    assert.ok(Number.isFinite(d) && d <= 50);
  }
});
