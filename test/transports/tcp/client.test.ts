import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { parseStreamUrl } from '../../../src/config/url.js';
import { startHub } from '../../../src/api/hub-server.js';
import { Hub } from '../../../src/hub/hub.js';
import { TcpClient, type TcpClientOptions } from '../../../src/transports/tcp/client.js';
import { Decoder } from '../../../src/transports/tcp/decoder.js';
import { encodeError } from '../../../src/transports/tcp/messages.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { setLogLevel } from '../../../src/util/logger.js';
import { fakeFrame } from '../../helpers/frames.js';
import { freePort, waitUntil } from '../../../support/net.js';

setLogLevel('silent');

const OPTS: TcpClientOptions = { ...DEFAULTS, reconnectInitialMs: 50, reconnectMaxMs: 100, reconnect: true };

/** fakeServer answers every HELLO with `reply(socket)`; returns its port. */
async function fakeServer(reply: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => {});
    const d = new Decoder();
    s.on('data', (c) => {
      try {
        if (d.push(c).some((m) => m.type === 'hello')) reply(s);
      } catch {
        s.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

describe('TcpClient', () => {
  it('push delivers the newest frame and END once connected when the stream ended while the hub was down', async () => {
    const port = await freePort();
    const local = new Hub();
    const pub = local.publish('cam');
    const c = TcpClient.push(parseStreamUrl(`tcp://127.0.0.1:${port}/cam`), local, 'cam', OPTS);
    await c.start();
    for (let i = 1; i <= 3; i++) pub.publish(fakeFrame(i, { stream: 'cam' }));
    pub.end();
    // The hub comes up after the local stream ended: END must still arrive, after the newest frame.
    const server = await startHub({ tcpPort: port, httpPort: null, host: '127.0.0.1' });
    try {
      const reader = server.hub.read('cam');
      const seqs: number[] = [];
      for await (const f of reader) seqs.push(f.seq);
      assert.deepEqual(seqs, [3], 'only the newest frame waited; then the stream ended');
      await c.done;
    } finally {
      await c.close();
      await server.close();
      await local.close();
    }
  });

  it('close() closes its hub reader and stops retrying, even while never connected', async () => {
    const port = await freePort();
    const local = new Hub();
    local.publish('cam');
    const c = TcpClient.push(parseStreamUrl(`tcp://127.0.0.1:${port}/cam`), local, 'cam', OPTS);
    await c.start();
    assert.equal(local.get('cam')!.stats().readers.length, 1);
    const states: string[] = [];
    c.on('state', (s) => states.push(s));
    await waitUntil(() => states.includes('retrying'), 5000, 'a retry');
    await c.close();
    await c.close(); // idempotent
    assert.equal(local.get('cam')!.stats().readers.length, 0, 'the hub reader is closed');
    const n = states.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(states.length, n, 'no attempts after close()');
    await local.close();
  });

  it('close() before start() settles done and attaches nothing', async () => {
    const local = new Hub();
    const c = TcpClient.pull(parseStreamUrl('tcp://127.0.0.1:9/cam'), local, 'cam', OPTS);
    await c.close();
    await c.done;
    assert.equal(local.get('cam'), undefined);
  });

  it('an ERROR with an inherited or unknown code settles done with CAMWIRE_ERR_REMOTE and crashes nothing', async () => {
    for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'CAMWIRE_ERR_NOPE', '']) {
      const { server, port } = await fakeServer((s) => s.end(encodeError({ code, message: 'hostile' })));
      const local = new Hub();
      const c = TcpClient.pull(parseStreamUrl(`tcp://127.0.0.1:${port}/cam`), local, 'cam', { ...OPTS, reconnect: false });
      await c.start();
      await assert.rejects(c.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_REMOTE') && /hostile/.test((e as Error).message), code);
      await c.close();
      await local.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('keeps a known remote code, so a bad token is final', async () => {
    const { server, port } = await fakeServer((s) => s.end(encodeError({ code: 'CAMWIRE_ERR_UNAUTHORIZED', message: 'no' })));
    const local = new Hub();
    const c = TcpClient.pull(parseStreamUrl(`tcp://127.0.0.1:${port}/cam`), local, 'cam', OPTS);
    await c.start();
    await assert.rejects(c.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_UNAUTHORIZED'));
    await c.close();
    await local.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('a reset connection is CAMWIRE_ERR_CONNECTION_LOST with the socket error as its cause; refused is CAMWIRE_ERR_CONNECT', async () => {
    const { server, port } = await fakeServer((s) => s.resetAndDestroy());
    const local = new Hub();
    const c = TcpClient.pull(parseStreamUrl(`tcp://127.0.0.1:${port}/cam`), local, 'cam', { ...OPTS, reconnect: false });
    await c.start();
    await assert.rejects(c.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_CONNECTION_LOST') && (e as Error & { cause: { code: string } }).cause.code === 'ECONNRESET');
    await c.close();
    await new Promise<void>((r) => server.close(() => r()));

    const refused = TcpClient.pull(parseStreamUrl(`tcp://127.0.0.1:${await freePort()}/cam`), local, 'cam2', { ...OPTS, reconnect: false, hint: 'is it running?' });
    await refused.start();
    await assert.rejects(refused.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_CONNECT') && /connection refused \(is it running\?\)/.test((e as Error).message) && (e as Error & { cause: { code: string } }).cause.code === 'ECONNREFUSED');
    await refused.close();
    await local.close();
  });
});
