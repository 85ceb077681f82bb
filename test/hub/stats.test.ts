import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LATENCY_BUCKETS_US, LATENCY_SAMPLES, LatencyStats, percentiles, RATE_WINDOW_MS, RateMeter } from '../../src/hub/stats.js';

test('RateMeter reads events and bits per second of the last complete window', () => {
  const m = new RateMeter();
  const start = Date.now() + 5 * RATE_WINDOW_MS;
  m.fps(start); // a window of nothing ends: the next one starts here
  for (let i = 0; i < 30; i++) m.add(1000, start + i * 33);
  assert.equal(m.fps(start + 999), 0, 'the window is not complete yet');
  assert.equal(m.fps(start + 1000), 30);
  assert.equal(m.bitsPerSecond(start + 1000), 30 * 1000 * 8);
});

test('RateMeter reads close to zero for a stream that stalled', () => {
  const m = new RateMeter();
  const t0 = Date.now() + 5 * RATE_WINDOW_MS;
  m.fps(t0);
  for (let i = 0; i < 30; i++) m.add(100, t0 + i * 33);
  m.fps(t0 + 1000);
  assert.ok(m.fps(t0 + 11_000) < 0.1, 'ten quiet seconds');
});

test('percentiles use nearest rank; an empty sample is NaN', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  assert.deepEqual(percentiles(xs, [0, 50, 95, 100]), [1, 50, 95, 100]);
  assert.deepEqual(percentiles([7], [50, 99]), [7, 7]);
  assert.ok(percentiles([], [50]).every(Number.isNaN));
});

test('LatencyStats keeps µs: buckets by upper bound, a sum and a count for Prometheus', () => {
  const l = new LatencyStats();
  for (const us of [500, 1000, 1001, 7_000, 10_000_000]) l.add(us);
  assert.equal(l.count, 5);
  assert.equal(l.sumUs, 500 + 1000 + 1001 + 7000 + 10_000_000);
  assert.equal(l.buckets[0], 2, '≤ 1 ms: 500 and 1000 µs (bounds are inclusive)');
  assert.equal(l.buckets[1], 1, '≤ 2 ms: 1001 µs');
  assert.equal(l.buckets[LATENCY_BUCKETS_US.indexOf(10_000)], 1, '≤ 10 ms: 7 ms');
  assert.equal(l.buckets[LATENCY_BUCKETS_US.length], 1, 'beyond the last bound: 10 s');
  assert.equal(l.buckets.reduce((a, b) => a + b, 0), l.count);
});

test('LatencyStats percentiles cover only the newest LATENCY_SAMPLES, in µs and ms', () => {
  const l = new LatencyStats();
  assert.ok(Number.isNaN(l.percentileUs(50)));
  assert.equal(l.percentileMs(50), null);
  for (let i = 0; i < LATENCY_SAMPLES; i++) l.add(1_000_000); // an old bad second
  for (let i = 0; i < LATENCY_SAMPLES; i++) l.add(2_000); // then steady 2 ms
  assert.equal(l.recent().length, LATENCY_SAMPLES, 'memory stays bounded');
  assert.equal(l.percentileUs(99), 2_000);
  assert.equal(l.percentileMs(50), 2);
  assert.equal(l.count, 2 * LATENCY_SAMPLES, 'the histogram still counts everything');
});

test('histogram bounds ascend, in µs, from 1 ms to 5 s', () => {
  for (let i = 1; i < LATENCY_BUCKETS_US.length; i++) assert.ok(LATENCY_BUCKETS_US[i] > LATENCY_BUCKETS_US[i - 1]);
  assert.equal(LATENCY_BUCKETS_US[0], 1_000);
  assert.equal(LATENCY_BUCKETS_US[LATENCY_BUCKETS_US.length - 1], 5_000_000);
});
