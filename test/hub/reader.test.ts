import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../src/hub/hub.js';
import { isCamwireError } from '../../src/util/errors.js';
import { setLogLevel } from '../../src/util/logger.js';
import { fakeFrame } from '../helpers/frames.js';

setLogLevel('error');

test('a stalled reader keeps only the newest frame while another reader receives every frame', async () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const fast = hub.read('s', { label: 'fast' });
  const stalled = hub.read('s', { label: 'stalled' });
  const got: number[] = [];
  const consumer = (async () => {
    for await (const f of fast) got.push(f.seq);
  })();
  for (let i = 0; i < 1000; i++) {
    pub.publish(fakeFrame(i));
    await new Promise((r) => setImmediate(r)); // let the fast consumer run between frames
  }
  pub.end();
  await consumer;
  assert.deepEqual(got, Array.from({ length: 1000 }, (_, i) => i));
  // The stalled reader never read: it holds one frame (the newest) and counted the rest.
  assert.equal(stalled.dropped, 999);
  assert.equal((await stalled.next())?.seq, 999);
  assert.equal(await stalled.next(), undefined);
});

test('publishing never waits for readers (publish returns synchronously with 100 idle readers)', () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const readers = Array.from({ length: 100 }, () => hub.read('s'));
  for (let i = 0; i < 50; i++) pub.publish(fakeFrame(i));
  for (const r of readers) {
    assert.equal(r.take()?.seq, 49);
    assert.equal(r.dropped, 49);
  }
});

test('an h264 reader that falls behind skips to the next keyframe, never a broken reference chain', () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const r = hub.read('s');
  const h = (seq: number, keyframe: boolean) => fakeFrame(seq, { codec: 'h264', keyframe });
  pub.publish(h(0, false)); // joined mid-GOP: ignored until a keyframe
  assert.equal(r.take(), undefined);
  pub.publish(h(1, true));
  assert.equal(r.take()?.seq, 1);
  // Deltas that arrive together wait in order (DELTA_BURST = 4): a burst, not a slow consumer.
  pub.publish(h(2, false));
  pub.publish(h(3, false));
  assert.deepEqual([r.take()?.seq, r.take()?.seq, r.take()], [2, 3, undefined]);
  // Past the bound the consumer is slow: everything waiting goes, then nothing until a keyframe.
  for (let i = 4; i <= 8; i++) pub.publish(h(i, false)); // 4..7 wait; 8 overflows: 4..8 dropped
  assert.equal(r.take(), undefined);
  pub.publish(h(9, false)); // after 8 was dropped 9 cannot be decoded: skipped
  assert.equal(r.take(), undefined);
  pub.publish(h(10, true));
  assert.equal(r.take()?.seq, 10);
  pub.publish(h(11, false));
  assert.equal(r.take()?.seq, 11);
  assert.equal(r.dropped, 6);
});

test('an h264 keyframe replaces the delta frames still waiting: nothing before it is needed', () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const r = hub.read('s');
  const h = (seq: number, keyframe: boolean) => fakeFrame(seq, { codec: 'h264', keyframe });
  pub.publish(h(0, true));
  pub.publish(h(1, false));
  pub.publish(h(2, false));
  pub.publish(h(3, true));
  pub.publish(h(4, false));
  assert.deepEqual([r.take()?.seq, r.take()?.seq, r.take()], [3, 4, undefined]);
  assert.equal(r.dropped, 3);
});

test('mjpeg frames never queue: a slow reader gets only the newest', () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const r = hub.read('s');
  for (let i = 0; i < 5; i++) pub.publish(fakeFrame(i));
  assert.deepEqual([r.take()?.seq, r.take()], [4, undefined]);
  assert.equal(r.dropped, 4);
});

test('a new mjpeg reader gets the newest frame at once; a new h264 reader starts at the cached keyframe', () => {
  const hub = new Hub();
  const m = hub.publish('m');
  m.publish(fakeFrame(7));
  m.publish(fakeFrame(8));
  const rm = hub.read('m');
  assert.deepEqual([rm.take()?.seq, rm.take()], [8, undefined], 'MJPEG: only the newest picture, no catch-up');
  const h = hub.publish('h');
  h.publish(fakeFrame(1, { codec: 'h264', keyframe: true }));
  h.publish(fakeFrame(2, { codec: 'h264', keyframe: false }));
  const rh = hub.read('h');
  assert.deepEqual([rh.take()?.seq, rh.take()?.seq, rh.take()], [1, 2, undefined]);
});

test('a reader joining at a cached GOP catches up in order, then is newest-wins again', () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const h = (seq: number, keyframe = false) => fakeFrame(seq, { codec: 'h264', keyframe });
  for (let i = 0; i < 5; i++) pub.publish(h(i, i === 0));
  const r = hub.read('s');
  pub.publish(h(5)); // published during the catch-up: queued behind the GOP, not a drop
  const got: number[] = [];
  for (let f = r.take(); f; f = r.take()) got.push(f.seq);
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5]);
  assert.equal(r.dropped, 0);
  // Caught up: a slow consumer now skips to the next keyframe as any reader does.
  for (let i = 6; i <= 10; i++) pub.publish(h(i)); // 6..9 fill DELTA_BURST, 10 overflows it
  assert.equal(r.take(), undefined, '6..10 dropped: the next decodable frame is a keyframe');
  pub.publish(h(11, true));
  assert.equal(r.take()?.seq, 11);
  assert.equal(r.dropped, 5);
});

test('a second publisher for the same stream is refused with CAMWIRE_ERR_STREAM_BUSY until the first detaches', () => {
  const hub = new Hub();
  const a = hub.publish('s', 'a');
  assert.throws(() => hub.publish('s', 'b'), (e) => isCamwireError(e, 'CAMWIRE_ERR_STREAM_BUSY'));
  a.detach();
  const b = hub.publish('s', 'b');
  a.publish(fakeFrame(1)); // the stale handle is ignored
  const r = hub.read('s');
  assert.equal(r.take(), undefined);
  b.publish(fakeFrame(2));
  assert.equal(r.take()?.seq, 2);
});

test('readers outlive a publisher that vanished and get the next publisher\'s frames', () => {
  const hub = new Hub();
  const r = hub.read('s');
  hub.publish('s').detach();
  hub.publish('s').publish(fakeFrame(3));
  assert.equal(r.take()?.seq, 3);
});

test('streams are forgotten when they have neither publisher nor readers, with an event', () => {
  const hub = new Hub();
  const events: [string, boolean][] = [];
  hub.on('stream', (name, st) => events.push([name, st !== null]));
  const p = hub.publish('s');
  const r = hub.read('s');
  p.detach();
  assert.deepEqual(hub.names(), ['s']);
  r.close();
  assert.deepEqual(hub.names(), []);
  assert.deepEqual(events.at(-1), ['s', false]);
});

test('bad stream names are refused with CAMWIRE_ERR_BAD_STREAM_NAME', () => {
  const hub = new Hub();
  for (const bad of ['', '../etc', '/abs', 'a b', 'x'.repeat(65), 'a/../b', 'é']) {
    assert.throws(() => hub.read(bad), (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_STREAM_NAME'), bad);
  }
  for (const good of ['lab', 'cam-1', 'site/door.2', 'A_b']) hub.read(good).close();
});

test('stats count frames, bytes, drops and latency per stream and per reader', () => {
  const hub = new Hub();
  const pub = hub.publish('s', 'me');
  const r = hub.read('s', { label: 'viewer' });
  for (let i = 0; i < 5; i++) pub.publish(fakeFrame(i));
  r.take();
  const [st] = hub.stats();
  assert.equal(st.name, 's');
  assert.equal(st.publisher, 'me');
  assert.equal(st.framesIn, 5);
  assert.equal(st.bytesIn, 25);
  assert.equal(st.readers[0].label, 'viewer');
  assert.equal(st.readers[0].framesOut, 1);
  assert.equal(st.readers[0].dropped, 4);
  const lat = st.readers[0].latencyP50Ms;
  assert.ok(lat !== null && lat >= 0 && lat < 1000, `latency ${lat} ms`);
});

test('a queued reader keeps every frame in order up to its bound while its consumer pauses', () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const r = hub.read('s', { label: 'recorder', queue: { frames: 50, bytes: 1 << 20 } });
  for (let i = 0; i < 50; i++) pub.publish(fakeFrame(i, { keyframe: i % 10 === 0, codec: 'h264' }));
  const got: number[] = [];
  for (let f = r.take(); f; f = r.take()) got.push(f.seq);
  assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => i));
  assert.equal(r.dropped, 0);
});

test('a queued reader past its frame bound drops the queue and resumes at the next keyframe', () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const r = hub.read('s', { label: 'recorder', queue: { frames: 8, bytes: 1 << 20 } });
  for (let i = 0; i < 25; i++) pub.publish(fakeFrame(i, { keyframe: i % 10 === 0, codec: 'h264' }));
  const got: number[] = [];
  for (let f = r.take(); f; f = r.take()) got.push(f.seq);
  // 0..7 fill the bound; 8 overflows: 0..8 dropped; 9 waits for a keyframe; 10..17 fill again,
  // 18 overflows (not a keyframe): 10..18 dropped, 19 waits; 20..24 kept. The frames skipped
  // while waiting for a keyframe (9, 19) count as joining, since nothing was taken yet.
  assert.deepEqual(got, [20, 21, 22, 23, 24]);
  assert.equal(r.dropped, 18);
});

test('a queued reader past its byte bound keeps an arriving keyframe as the new start', () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const big = Buffer.alloc(400);
  const r = hub.read('s', { label: 'recorder', queue: { frames: 100, bytes: 1000 } });
  for (let i = 0; i < 5; i++) pub.publish(fakeFrame(i, { keyframe: i === 0 || i === 3, codec: 'h264', payload: big }));
  const got: number[] = [];
  for (let f = r.take(); f; f = r.take()) got.push(f.seq);
  // slot 0, queued 1 and 2 (800 bytes); keyframe 3 would make 1200: 0..2 dropped, 3 starts over.
  assert.deepEqual(got, [3, 4]);
  assert.equal(r.dropped, 3);
});
