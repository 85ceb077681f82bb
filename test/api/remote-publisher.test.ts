import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../src/hub/hub.js';
import { END_LINGER_MS, remotePublisher, startOrClose, type PublisherLink } from '../../src/api/remote-publisher.js';

/** link records what the publisher does to it. */
function link(over: Partial<PublisherLink> = {}): PublisherLink & { closes: number } {
  const l = { closes: 0, close: async () => void l.closes++, port: () => 4242, ...over };
  return l;
}

test('close() closes the link once, then the hub; done settles after close when the link has no done of its own', async () => {
  const hub = new Hub();
  const l = link();
  const p = remotePublisher(hub, hub.publish('s', 'test'), l);
  assert.equal(p.port, 4242);
  assert.equal(p.stream.name, 's');
  let settled = false;
  void p.done.then(() => (settled = true));
  await Promise.all([p.close(), p.close()]);
  await p.close();
  await p.done;
  assert.ok(settled);
  assert.equal(l.closes, 1, 'the link is closed exactly once');
  assert.throws(() => hub.read('s'), /CLOSED|closed/, 'the private hub is closed');
});

test("done follows the link's own done (a fatal error rejects it) until close()", async () => {
  const hub = new Hub();
  let fail!: (e: Error) => void;
  const p = remotePublisher(hub, hub.publish('s', 'test'), link({ done: new Promise((_, reject) => (fail = reject)) }));
  fail(new Error('refused'));
  await assert.rejects(p.done, /refused/);
  await p.close();
});

test('end() closes everything END_LINGER_MS later only for links that ask for it', async () => {
  for (const closeAfterEnd of [true, false]) {
    const hub = new Hub();
    const l = link({ closeAfterEnd });
    const p = remotePublisher(hub, hub.publish('s', 'test'), l);
    p.end();
    assert.equal(l.closes, 0, 'not at once: the last frame still goes out');
    await new Promise((r) => setTimeout(r, END_LINGER_MS + 100));
    assert.equal(l.closes, closeAfterEnd ? 1 : 0);
    await p.close();
    assert.equal(l.closes, 1);
  }
});

test('a link that fails while nobody awaits done is not an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const on = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', on);
  try {
    const hub = new Hub();
    const p = remotePublisher(hub, hub.publish('s', 'test'), link({ done: Promise.reject(new Error('connection refused')) }));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
    await assert.rejects(p.done, /connection refused/);
    await p.close();
  } finally {
    process.off('unhandledRejection', on);
  }
});

test('startOrClose closes the link and the hub when start fails, and passes the error on', async () => {
  const hub = new Hub();
  hub.publish('s', 'test');
  let closes = 0;
  await assert.rejects(startOrClose(hub, { start: async () => Promise.reject(new Error('port taken')), close: async () => void closes++ }), /port taken/);
  assert.equal(closes, 1);
  assert.throws(() => hub.read('s'), /closed/i, 'the hub is closed');
  let started = 0;
  await startOrClose(new Hub(), { start: async () => void started++, close: async () => assert.fail('not closed on success') });
  assert.equal(started, 1);
});
