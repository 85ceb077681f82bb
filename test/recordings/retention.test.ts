import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Hub } from '../../src/hub/hub.js';
import { nextDeletion, parseAge, parseBytes, type RetentionPolicy, type StreamView } from '../../src/recordings/retention.js';
import { RecordingStore } from '../../src/recordings/store.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { setLogLevel } from '../../src/util/logger.js';
import { renderFrames } from '../../support/replay.js';
import { tempDir } from '../../support/media.js';
import { FRAME_US, publishTimed, recorderOptions } from '../helpers/recordings.js';

setLogLevel('error');
const tmp = tempDir();
after(() => tmp.cleanup());

const H = 3600e6;
const NOW = 1_000 * H;
const NONE: RetentionPolicy = { keepUs: 0, maxBytes: 0 };
const seg = (hoursAgo: number) => ({ startUs: NOW - hoursAgo * H - 60e6, endUs: NOW - hoursAgo * H });

const TABLE: { name: string; views: StreamView[]; global: RetentionPolicy; want: ReturnType<typeof nextDeletion> }[] = [
  { name: 'no limits: nothing goes', views: [{ stream: 'a', bytes: 1e12, oldest: seg(1e4) }], global: NONE, want: undefined },
  { name: 'age: a segment that ended longer ago than keep goes', views: [{ stream: 'a', bytes: 10, oldest: seg(25) }], global: { keepUs: 24 * H, maxBytes: 0 }, want: { stream: 'a', reason: 'age' } },
  { name: 'age: a segment inside keep stays', views: [{ stream: 'a', bytes: 10, oldest: seg(23) }], global: { keepUs: 24 * H, maxBytes: 0 }, want: undefined },
  { name: 'age per stream overrides the global age (kept longer)', views: [{ stream: 'a', bytes: 10, oldest: seg(25), policy: { keepUs: 48 * H } }], global: { keepUs: 24 * H, maxBytes: 0 }, want: undefined },
  { name: 'size: over the global budget, the earliest segment across streams goes', views: [{ stream: 'a', bytes: 60, oldest: seg(2) }, { stream: 'b', bytes: 50, oldest: seg(3) }], global: { keepUs: 0, maxBytes: 100 }, want: { stream: 'b', reason: 'total-size' } },
  { name: 'size: at the budget exactly nothing goes', views: [{ stream: 'a', bytes: 50, oldest: seg(2) }, { stream: 'b', bytes: 50, oldest: seg(3) }], global: { keepUs: 0, maxBytes: 100 }, want: undefined },
  { name: 'size per stream: a stream over its own cap loses its oldest even under the global budget', views: [{ stream: 'a', bytes: 60, oldest: seg(1), policy: { maxBytes: 50 } }, { stream: 'b', bytes: 10, oldest: seg(9) }], global: { keepUs: 0, maxBytes: 1000 }, want: { stream: 'a', reason: 'stream-size' } },
  { name: 'both: age goes first even when size holds', views: [{ stream: 'a', bytes: 1, oldest: seg(30) }], global: { keepUs: 24 * H, maxBytes: 100 }, want: { stream: 'a', reason: 'age' } },
  { name: 'both: size when nothing is old enough', views: [{ stream: 'a', bytes: 200, oldest: seg(1) }], global: { keepUs: 24 * H, maxBytes: 100 }, want: { stream: 'a', reason: 'total-size' } },
  { name: 'in use: a stream whose only segment is being written has no candidate, even far over budget', views: [{ stream: 'a', bytes: 1e9 }], global: { keepUs: 1, maxBytes: 100 }, want: undefined },
  { name: 'in use: over budget because of the open segment, the other stream pays', views: [{ stream: 'a', bytes: 1e9 }, { stream: 'b', bytes: 10, oldest: seg(1) }], global: { keepUs: 0, maxBytes: 100 }, want: { stream: 'b', reason: 'total-size' } },
  { name: 'clock jumped back: a segment stamped in the future is not old', views: [{ stream: 'a', bytes: 10, oldest: seg(-5) }], global: { keepUs: 24 * H, maxBytes: 0 }, want: undefined },
];

for (const c of TABLE) test(`retention: ${c.name}`, () => assert.deepEqual(nextDeletion(c.views, c.global, NOW), c.want));

test('ages and sizes parse with units; nonsense is refused', () => {
  assert.equal(parseAge('7d'), 7 * 24 * H);
  assert.equal(parseAge('90m'), 90 * 60e6);
  assert.equal(parseAge('1.5h'), 1.5 * H);
  assert.equal(parseAge('0'), 0);
  for (const bad of ['', '7', '7 days', '-1d', 'd']) assert.equal(parseAge(bad), undefined, bad);
  assert.equal(parseBytes('20GB'), 20e9);
  assert.equal(parseBytes('512MiB'), 512 * 1024 * 1024);
  assert.equal(parseBytes('1000'), 1000);
  for (const bad of ['', 'GB', '20 parsecs', '-5GB']) assert.equal(parseBytes(bad), undefined, bad);
});

async function record(dir: string, stream: string, seconds: number, baseUs: number, over: Parameters<typeof recorderOptions>[1]) {
  const frames = await renderFrames({ width: 160, height: 120, fps: 30, quality: 80 }, 30, stream);
  const hub = new Hub();
  // Frames are published faster than real time: a queue that holds them all keeps every one.
  const rec = new Recorder(hub, recorderOptions(dir, { queueFrames: 100_000, ...over }));
  await rec.start();
  const pub = hub.publish(stream);
  const all = Array.from({ length: seconds * 30 }, (_, i) => frames[i % 30]);
  let maxSeen = 0;
  const watch = setInterval(() => (maxSeen = Math.max(maxSeen, rec.stats().bytes)), 1);
  await publishTimed(pub, all, baseUs, FRAME_US);
  await rec.close();
  clearInterval(watch);
  await hub.close();
  return { maxSeen: Math.max(maxSeen, rec.stats().bytes), rec };
}

test('a size budget filled three times over is never exceeded by more than one segment; oldest go first', { timeout: 60_000 }, async () => {
  const dir = tmp.file('size');
  // Segments of 1 s (~30 small JPEGs); a budget of about 5 segments, 18 s recorded.
  const probe = await record(tmp.file('probe'), 'cam', 1, Date.UTC(2026, 0, 1) * 1000, { segmentMs: 1000 });
  const segBytes = probe.maxSeen;
  const budget = 5 * segBytes;
  const { maxSeen, rec } = await record(dir, 'cam', 18, Date.UTC(2026, 0, 1) * 1000, { segmentMs: 1000, retention: { keepUs: 0, maxBytes: budget } });
  assert.ok(maxSeen <= budget + segBytes * 1.2, `peak ${maxSeen} within budget ${budget} + one segment (${segBytes})`);
  const left = await new RecordingStore(dir).list('cam', 0, Number.MAX_SAFE_INTEGER);
  assert.ok(left.length >= 4 && left.length <= 6, `${left.length} segments left`);
  assert.ok(left[0].startUs >= Date.UTC(2026, 0, 1) * 1000 + 11e6, 'only the newest seconds are kept');
  assert.ok(rec.stats().segmentsDeleted['total-size'] >= 12, JSON.stringify({ left: left.length, ...rec.stats().segmentsDeleted }));
});

test('per-stream size cap and age: each stream keeps its own limit', { timeout: 60_000 }, async () => {
  const dir = tmp.file('per-stream');
  const now = Date.now() * 1000;
  // Stream old: recorded two hours ago, kept 1 h → all of it ages out at the next pass.
  await record(dir, 'old', 3, now - 2 * H, { segmentMs: 1000 });
  await record(dir, 'fresh', 3, now - 10e6, { segmentMs: 1000, retention: { keepUs: H, maxBytes: 0 } });
  const store = new RecordingStore(dir);
  assert.equal((await store.list('old', 0, Number.MAX_SAFE_INTEGER)).length, 0, 'aged out');
  assert.equal((await store.list('fresh', 0, Number.MAX_SAFE_INTEGER)).length, 3);
  // Now a per-stream age that keeps "old" footage of one stream longer than the global limit.
  await record(dir, 'old', 3, now - 2 * H, { segmentMs: 1000 });
  await record(dir, 'fresh', 1, now, { segmentMs: 1000, retention: { keepUs: H, maxBytes: 0 }, perStream: { old: { keepUs: 3 * H } } });
  assert.equal((await store.list('old', 0, Number.MAX_SAFE_INTEGER)).length, 3, 'kept by its own longer age');
});

test('a clock that jumps back: retention still deletes in write order, and a repeated start time gets a new file name', { timeout: 60_000 }, async () => {
  const dir = tmp.file('jump');
  const t0 = Date.UTC(2026, 5, 1, 12) * 1000;
  await record(dir, 'cam', 3, t0, { segmentMs: 1000 });
  // The clock jumps back an hour: these segments are stamped earlier but written later.
  await record(dir, 'cam', 3, t0 - H, { segmentMs: 1000 });
  await record(dir, 'cam', 3, t0, { segmentMs: 1000 }); // same stamps as the first run
  const store = new RecordingStore(dir);
  const all = await store.daySegments('cam', '2026-06-01');
  assert.equal(all.length, 9);
  assert.equal(new Set(all.map((s) => s.file)).size, 9, 'no file overwritten');
  const sizes = all.map((s) => s.bytes);
  const budget = sizes.slice(3).reduce((a, b) => a + b, 0);
  await record(dir, 'cam', 0, t0, { segmentMs: 1000, retention: { keepUs: 0, maxBytes: budget } });
  const left = await store.daySegments('cam', '2026-06-01');
  assert.deepEqual(left.map((s) => s.file), all.slice(3).map((s) => s.file), 'the first-written three went, not the earliest-stamped');
});
