import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { boundPort, listen, Listener } from '../../src/util/listen.js';
import { createLogger, setLogSink } from '../../src/util/logger.js';
import { isCamwireError } from '../../src/util/errors.js';
import { waitUntil } from '../../support/net.js';

const log = createLogger('test');
const target = (port: number, maxConnections?: number) => ({ url: `tcp://127.0.0.1:${port}`, inUseHint: 'pick another with --tcp', maxConnections });

test('listen binds port 0 and boundPort tells the port; a closed or missing server reads 0', async () => {
  const s = createServer();
  await listen(s, 0, '127.0.0.1', target(0), log);
  assert.ok(boundPort(s) > 0);
  await new Promise((r) => s.close(r));
  assert.equal(boundPort(s), 0);
  assert.equal(boundPort(undefined), 0);
});

test('a taken port is one CAMWIRE_ERR_LISTEN naming the URL and the fix, with the errno as cause', async () => {
  const a = createServer();
  await listen(a, 0, '127.0.0.1', target(0), log);
  const port = boundPort(a);
  try {
    await assert.rejects(listen(createServer(), port, '127.0.0.1', target(port), log), (e) => {
      assert.ok(isCamwireError(e, 'CAMWIRE_ERR_LISTEN'));
      assert.equal(e.message, `cannot listen on tcp://127.0.0.1:${port}: port already in use (pick another with --tcp)`);
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
      return true;
    });
  } finally {
    a.close();
  }
});

test('maxConnections refuses connections beyond the cap and logs them, rate-limited', async (t) => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  t.after(() => setLogSink((l) => process.stderr.write(l + '\n')));
  const open = new Set<import('node:net').Socket>();
  const s = createServer((c) => open.add(c));
  await listen(s, 0, '127.0.0.1', target(0, 2), log);
  const port = boundPort(s);
  const clients = [0, 1, 2, 3].map(() => connect(port, '127.0.0.1').on('error', () => {}));
  try {
    await waitUntil(() => open.size === 2 && lines.some((l) => /refused \d+ connection\(s\): 2 already open \(maxConnections\)/.test(l)), 5000, 'the third connection refused and logged');
    assert.equal(open.size, 2);
  } finally {
    for (const c of clients) c.destroy();
    for (const c of open) c.destroy();
    await new Promise((r) => s.close(r));
  }
});

/** A Listener subclass the way every camwire listener uses it: hold each accepted socket. */
class Held extends Listener {
  async start(): Promise<void> {
    await this.listenOn(createServer((s) => this.holdSocket(s)), 0, '127.0.0.1', target(0), log);
  }
}

test('Listener counts held sockets, forgets those that close, and close() drops the rest and is idempotent', async () => {
  const l = new Held();
  assert.equal(l.port, 0, 'no port before start');
  await l.close(); // closing before start is harmless
  await l.start();
  const port = l.port;
  assert.ok(port > 0);
  const clients = [0, 1, 2].map(() => connect(port, '127.0.0.1').on('error', () => {}));
  try {
    await waitUntil(() => l.connections === 3, 5000, 'three connections held');
    clients[0]!.destroy();
    await waitUntil(() => l.connections === 2, 5000, 'a client that left is forgotten');
    const ended = clients.slice(1).map((c) => new Promise<void>((r) => c.on('close', () => r())));
    await Promise.all([l.close(), l.close()]);
    await Promise.all(ended); // the listener dropped them: the clients see their sockets close
    assert.equal(l.port, 0);
    // The port is free again: nothing still listens there.
    const refused = await new Promise<string>((r) => connect(port, '127.0.0.1').on('error', (e: NodeJS.ErrnoException) => r(e.code ?? '')).on('connect', () => r('connected')));
    assert.equal(refused, 'ECONNREFUSED');
  } finally {
    for (const c of clients) c.destroy();
    await l.close();
  }
});
