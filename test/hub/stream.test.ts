import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GOP_CACHE, Stream } from '../../src/hub/stream.js';
import { nowUs } from '../../src/util/clock.js';
import { isCamwireError } from '../../src/util/errors.js';
import { fakeFrame } from '../helpers/frames.js';

const h264 = (seq: number, keyframe: boolean) => fakeFrame(seq, { codec: 'h264', keyframe });

test('one publisher at a time: a second gets CAMWIRE_ERR_STREAM_BUSY naming the first; after detach another may attach', () => {
  const s = new Stream('lab');
  const a = s.attach('cam A');
  assert.throws(() => s.attach('cam B'), (e) => isCamwireError(e, 'CAMWIRE_ERR_STREAM_BUSY') && /already has a publisher \(cam A\)/.test((e as Error).message));
  a.detach();
  const b = s.attach('cam B');
  assert.equal(s.publisher, 'cam B');
  // The old handle is dead: its frames, end() and detach() do nothing to the new publisher.
  a.publish(fakeFrame(1));
  a.end();
  a.detach();
  assert.equal(s.framesIn, 0);
  assert.equal(s.publisher, 'cam B');
  b.detach();
});

test('detach keeps readers waiting (the publisher may come back); end finishes them after their frame', async () => {
  const s = new Stream('lab');
  const r = s.read();
  const p1 = s.attach('cam');
  p1.publish(fakeFrame(1));
  p1.detach();
  assert.equal((await r.next())?.seq, 1);
  const p2 = s.attach('cam again');
  p2.publish(fakeFrame(2));
  p2.end();
  assert.equal((await r.next())?.seq, 2, 'the waiting frame is still delivered');
  assert.equal(await r.next(), undefined);
  assert.equal(s.publisher, null);
});

const drain = (r: { take(): { seq: number } | undefined }) => {
  const got: number[] = [];
  for (let f = r.take(); f; f = r.take()) got.push(f.seq);
  return got;
};

test('a new reader starts at once at the GOP cache: the newest keyframe and every frame since', () => {
  const s = new Stream('v');
  const p = s.attach('cam');
  p.publish(h264(1, true));
  assert.deepEqual(drain(s.read()), [1], 'keyframe: shown at once');
  p.publish(h264(2, false));
  p.publish(h264(3, false));
  assert.deepEqual(drain(s.read()), [1, 2, 3], 'mid-GOP: the keyframe first, then the frames it references');
  p.publish(h264(4, true));
  assert.deepEqual(drain(s.read()), [4], 'a keyframe starts a new cache');
  assert.equal(s.last?.seq, 4);
});

test('the GOP cache is bounded in frames and bytes; past a bound a new reader waits for the next keyframe', () => {
  const s = new Stream('v');
  const p = s.attach('cam');
  p.publish(h264(0, true));
  for (let i = 1; i < GOP_CACHE.frames; i++) p.publish(h264(i, false));
  assert.equal(drain(s.read()).length, GOP_CACHE.frames, 'exactly at the frame bound: all cached');
  p.publish(h264(GOP_CACHE.frames, false));
  assert.deepEqual(drain(s.read()), [], 'one past the bound: nothing cached');
  const big = Buffer.alloc(GOP_CACHE.bytes / 2);
  p.publish(fakeFrame(1000, { codec: 'h264', keyframe: true, payload: big }));
  p.publish(fakeFrame(1001, { codec: 'h264', keyframe: false, payload: big.subarray(1) }));
  assert.deepEqual(drain(s.read()), [1000, 1001]);
  p.publish(fakeFrame(1002, { codec: 'h264', keyframe: false, payload: Buffer.alloc(2) }));
  assert.deepEqual(drain(s.read()), [], 'past the byte bound: nothing cached');
  p.publish(h264(1003, true));
  assert.deepEqual(drain(s.read()), [1003]);
});

test('a new publisher starts a new GOP cache: its delta frames never follow the old one\'s keyframe', () => {
  const s = new Stream('v');
  const a = s.attach('cam A');
  a.publish(h264(1, true));
  a.publish(h264(2, false));
  a.detach();
  const b = s.attach('cam B');
  b.publish(h264(1, false));
  const r = s.read();
  assert.deepEqual(drain(r), []);
  b.publish(h264(2, true));
  assert.deepEqual(drain(r), [2]);
});

test('stats count frames and bytes in, drops of readers that left, rate, and the newest frame\'s shape', () => {
  const s = new Stream('lab');
  const p = s.attach('cam');
  const slow = s.read({ label: 'slow' });
  for (let i = 0; i < 5; i++) p.publish(fakeFrame(i, { width: 320, height: 240 }));
  slow.close(); // held one, dropped 4
  const st = s.stats();
  assert.equal(st.framesIn, 5);
  assert.equal(st.bytesIn, 25);
  assert.equal(st.dropped, 4, 'the drops of a reader that left still count');
  assert.deepEqual([st.codec, st.width, st.height], ['mjpeg', 320, 240]);
  assert.ok(st.lastFrameAgeMs !== null && st.lastFrameAgeMs >= 0);
  assert.equal(st.readers.length, 0);
  assert.equal(new Stream('empty').stats().lastFrameAgeMs, null);
});

test('capture→hub latency is measured in µs on the capture clock', () => {
  const s = new Stream('lab');
  const p = s.attach('cam');
  p.publish(fakeFrame(1, { captureUs: nowUs() - 40_000 })); // captured 40 ms ago
  const us = s.latency.percentileUs(50);
  assert.ok(us >= 40_000 && us < 40_000 + 5_000_000, `${us} µs`);
  assert.equal(s.latency.percentileMs(50), us / 1000);
});

test('the hub learns of every publisher and reader change; idle means nobody uses the stream', () => {
  let changes = 0;
  const s = new Stream('lab', { changed: () => changes++ });
  assert.ok(s.idle);
  const p = s.attach('cam');
  const r = s.read();
  assert.ok(!s.idle);
  r.close();
  r.close(); // idempotent: no second change
  p.detach();
  assert.ok(s.idle);
  assert.equal(changes, 4);
});

test('closeReaders ends every reader at once', async () => {
  const s = new Stream('lab');
  const rs = [s.read(), s.read()];
  s.closeReaders();
  for (const r of rs) assert.equal(await r.next(), undefined);
  assert.equal(s.readers.size, 0);
});
