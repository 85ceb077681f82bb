import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { EventLog, type StreamEvent } from '../../../src/hub/event-log.js';
import { MAX_TRIES, Webhook, parseWebhookUrl } from '../../../src/sinks/notify/webhook.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { waitUntil } from '../../../support/net.js';

/** receiver is a real local HTTP server; `answer(n)` decides the status of the n-th request (0 = never answer). */
async function receiver(answer: (n: number) => number) {
  const bodies: { n: number; body: string; type: string | undefined }[] = [];
  let n = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const k = ++n;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push({ n: k, body, type: req.headers['content-type'] });
      const status = answer(k);
      if (status === 0) return void held.push(res);
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return {
    url, bodies,
    close: () => {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function event(id: string): StreamEvent {
  return { id, type: 'motion', stream: 'door', startMs: 1000, endMs: null, peakScore: 0.1, zone: 'all', snapshot: null, clip: { fromMs: -4000, toMs: 11000, url: null } };
}

test('a webhook gets the start and the end of an event, in order, as JSON — not every peak', async () => {
  const rx = await receiver(() => 200);
  const log = new EventLog();
  const hook = new Webhook(rx.url, log, 2000);
  try {
    log.add(event('a'));
    log.update('a', { peakScore: 0.2 }, 'update');
    log.update('a', { endMs: 3000 }, 'end');
    await waitUntil(() => rx.bodies.length === 2, 5000, 'two deliveries');
    await hook.idle();
    const got = rx.bodies.map((b) => JSON.parse(b.body));
    assert.deepEqual(got.map((g) => [g.phase, g.event.id, g.event.endMs]), [['start', 'a', null], ['end', 'a', 3000]]);
    assert.equal(rx.bodies[0].type, 'application/json');
    assert.deepEqual(hook.stats, { delivered: 2, failed: 0, retries: 0, dropped: 0 });
  } finally {
    await hook.close();
    await rx.close();
  }
});

test('a 500 answer is retried and then delivered', async () => {
  const rx = await receiver((n) => (n === 1 ? 500 : 204));
  const log = new EventLog();
  const hook = new Webhook(rx.url, log, 2000);
  try {
    log.add(event('b'));
    await waitUntil(() => hook.stats.delivered === 1, 5000, 'delivery');
    assert.equal(rx.bodies.length, 2);
    assert.equal(rx.bodies[0].body, rx.bodies[1].body, 'the same body is sent again');
    assert.equal(hook.stats.retries, 1);
  } finally {
    await hook.close();
    await rx.close();
  }
});

test('a receiver that does not answer within the timeout is tried again', async () => {
  const rx = await receiver((n) => (n === 1 ? 0 : 200));
  const log = new EventLog();
  const hook = new Webhook(rx.url, log, 300);
  try {
    log.add(event('c'));
    await waitUntil(() => hook.stats.delivered === 1, 5000, 'delivery after the timeout');
    assert.equal(hook.stats.retries, 1);
    assert.equal(rx.bodies.length, 2);
  } finally {
    await hook.close();
    await rx.close();
  }
});

test('a 4xx answer is not retried; a receiver that keeps failing is given up after MAX_TRIES', async () => {
  const rx = await receiver(() => 404);
  const log = new EventLog();
  const hook = new Webhook(rx.url, log, 2000);
  try {
    log.add(event('d'));
    await waitUntil(() => hook.stats.failed === 1, 5000, 'failure');
    assert.equal(rx.bodies.length, 1);
  } finally {
    await hook.close();
    await rx.close();
  }
  const down = await receiver(() => 503);
  const hook2 = new Webhook(down.url, log, 2000);
  try {
    log.add(event('e'));
    await waitUntil(() => hook2.stats.failed === 1, 15000, 'giving up');
    assert.equal(down.bodies.length, MAX_TRIES);
    assert.equal(hook2.stats.retries, MAX_TRIES - 1);
  } finally {
    await hook2.close();
    await down.close();
  }
});

test('a webhook URL that is not http(s) is a clear config error', () => {
  for (const bad of ['nonsense', 'ftp://127.0.0.1/x']) {
    assert.throws(() => parseWebhookUrl(bad), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /--on-motion/.test((e as Error).message));
  }
});
