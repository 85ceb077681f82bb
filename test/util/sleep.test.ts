import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../../src/util/sleep.js';

test('sleep resolves after at least the given time', async () => {
  const t0 = performance.now();
  await sleep(30);
  assert.ok(performance.now() - t0 >= 29);
});

test('an abort ends the wait early, resolving (never rejecting), and removes its listener', async () => {
  const ac = new AbortController();
  const t0 = performance.now();
  const p = sleep(60_000, ac.signal);
  setTimeout(() => ac.abort(), 10);
  await p;
  assert.ok(performance.now() - t0 < 30_000, 'did not wait the full minute');
  // A second sleep on the same (aborted) signal returns at once.
  await sleep(60_000, ac.signal);
});

test('a finished sleep leaves no abort listener behind on a long-lived signal', async () => {
  const ac = new AbortController();
  let listeners = 0;
  const add = ac.signal.addEventListener.bind(ac.signal);
  const remove = ac.signal.removeEventListener.bind(ac.signal);
  ac.signal.addEventListener = ((...a: Parameters<typeof add>) => (listeners++, add(...a))) as typeof add;
  ac.signal.removeEventListener = ((...a: Parameters<typeof remove>) => (listeners--, remove(...a))) as typeof remove;
  for (let i = 0; i < 5; i++) await sleep(1, ac.signal);
  assert.equal(listeners, 0);
});
