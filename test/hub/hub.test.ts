import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STREAM, Hub } from '../../src/hub/hub.js';
import type { StreamStats } from '../../src/hub/stream.js';
import { isCamwireError } from '../../src/util/errors.js';
import { fakeFrame } from '../helpers/frames.js';

test('publish and read meet on a name; a reader may come first and waits for the publisher', async () => {
  const hub = new Hub();
  const r = hub.read('lab');
  assert.deepEqual(hub.names(), ['lab'], 'reading creates the stream so the reader can wait');
  const pub = hub.publish('lab', 'cam');
  pub.publish(fakeFrame(7, { stream: 'lab' }));
  assert.equal((await r.next())?.seq, 7);
  assert.equal(hub.get('lab')?.publisher, 'cam');
  await hub.close();
});

test('a stream nobody publishes or reads is forgotten, with a stream event saying so', () => {
  const hub = new Hub();
  const events: [string, StreamStats | null][] = [];
  hub.on('stream', (name, st) => events.push([name, st]));
  const pub = hub.publish('a', 'cam');
  const r = hub.read('a');
  r.close();
  assert.deepEqual(hub.names(), ['a'], 'the publisher still holds it');
  pub.detach();
  assert.deepEqual(hub.names(), []);
  assert.equal(hub.get('a'), undefined);
  assert.deepEqual(events.map(([n, st]) => [n, st === null ? null : st.publisher]), [
    ['a', 'cam'], // publisher attached
    ['a', 'cam'], // reader added
    ['a', 'cam'], // reader gone
    ['a', null], // publisher gone: the stream is forgotten
  ]);
});

test('bad stream names are refused with CAMWIRE_ERR_BAD_STREAM_NAME, for publishers and readers', () => {
  const hub = new Hub();
  for (const bad of ['', '../etc', 'a b', 'x'.repeat(200)]) {
    assert.throws(() => hub.publish(bad), (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_STREAM_NAME'), JSON.stringify(bad));
    assert.throws(() => hub.read(bad), (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_STREAM_NAME'));
  }
  assert.deepEqual(hub.names(), []);
});

test('resolve: an empty name is the only live stream, else the default stream; a given name stays', () => {
  const hub = new Hub();
  assert.equal(hub.resolve(''), DEFAULT_STREAM);
  hub.read('waiting'); // a stream without a publisher does not count
  const a = hub.publish('a');
  assert.equal(hub.resolve(''), 'a');
  hub.publish('b');
  assert.equal(hub.resolve(''), DEFAULT_STREAM, 'two live streams: ambiguous');
  a.detach();
  assert.equal(hub.resolve(''), 'b');
  assert.equal(hub.resolve('x'), 'x');
});

test('stats lists every stream with its counters', () => {
  const hub = new Hub();
  const pub = hub.publish('s', 'me');
  pub.publish(fakeFrame(1));
  pub.publish(fakeFrame(2));
  hub.read('t');
  const byName = Object.fromEntries(hub.stats().map((s) => [s.name, s]));
  assert.deepEqual(Object.keys(byName).sort(), ['s', 't']);
  assert.equal(byName.s.framesIn, 2);
  assert.equal(byName.s.publisher, 'me');
  assert.equal(byName.t.publisher, null);
  assert.equal(byName.t.readers.length, 1);
});

test('close ends every reader, refuses new streams and is idempotent; a publisher\'s later frames are ignored', async () => {
  const hub = new Hub();
  const pub = hub.publish('s');
  const r = hub.read('s');
  await Promise.all([hub.close(), hub.close()]);
  assert.equal(await r.next(), undefined);
  assert.doesNotThrow(() => pub.publish(fakeFrame(1)));
  assert.throws(() => hub.read('s'), (e) => isCamwireError(e, 'CAMWIRE_ERR_CLOSED'));
  assert.throws(() => hub.publish('x'), (e) => isCamwireError(e, 'CAMWIRE_ERR_CLOSED'));
  assert.deepEqual(hub.names(), []);
});
