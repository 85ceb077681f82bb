import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, ViewStats } from '../../src/cli/view-stats.js';
import { nowUs } from '../../src/util/clock.js';
import { fakeFrame } from '../helpers/frames.js';

test('counts frames, bytes and sequence gaps; a restart of the sequence is not a gap', () => {
  const s = new ViewStats();
  for (const seq of [0, 1, 2, 5, 6]) s.add(fakeFrame(seq, { width: 320, height: 240 }));
  assert.equal(s.frames, 5);
  assert.equal(s.bytes, 25);
  assert.equal(s.dropped, 2, 'frames 3 and 4 never arrived');
  s.add(fakeFrame(0)); // the sender restarted
  assert.equal(s.dropped, 2);
  assert.deepEqual([s.width, s.height], [64, 48]);
});

test('latency is measured in µs and reported in ms at the edge', () => {
  const s = new ViewStats();
  for (let i = 0; i < 10; i++) s.add(fakeFrame(i, { captureUs: nowUs() - 30_000 })); // 30 ms old
  const r = s.progress();
  assert.equal(r.type, 'progress');
  assert.ok(r.latencyP50Ms !== null && r.latencyP50Ms >= 30 && r.latencyP50Ms < 30 + 5_000, String(r.latencyP50Ms));
  assert.ok(r.latencyP95Ms! >= r.latencyP50Ms! && r.latencyP99Ms! >= r.latencyP95Ms!);
  const empty = s.progress();
  assert.equal(empty.latencyP50Ms, null, 'a window without frames has no latency');
  const sum = s.summary();
  assert.equal(sum.type, 'summary');
  assert.equal(sum.frames, 10);
  assert.ok(sum.latencyP50Ms! >= 30);
});

test('formatReport is one human line', () => {
  const s = new ViewStats();
  s.add(fakeFrame(0));
  const line = formatReport(s.summary());
  assert.match(line, /^total: 1 frames, [\d.]+ fps, \d+ kbit\/s, 0 dropped, latency p50\/p95 [\d.]+\/[\d.]+ ms, 64x48$/);
  assert.match(formatReport(new ViewStats().progress()), /latency p50\/p95 -, 0x0$/);
});
