import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { Connection, type ConnectionOptions } from '../../../src/transports/tcp/connection.js';
import { Decoder } from '../../../src/transports/tcp/decoder.js';
import { encodeHello, type Message } from '../../../src/transports/tcp/messages.js';
import { isCamwireError, type CamwireError } from '../../../src/util/errors.js';
import { fakeFrame } from '../../helpers/frames.js';
import { waitUntil } from '../../../support/net.js';

const OPTS: ConnectionOptions = { maxFrameBytes: 1 << 20, keepaliveMs: 100, timeoutMs: 400, writeStallMs: 300 };

/** pair connects a Connection (server side) to a raw client socket over loopback. */
async function pair(opts: Partial<ConnectionOptions> = {}): Promise<{ conn: Connection; peer: Socket; closed: Promise<CamwireError | undefined> }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const peer = connect((server.address() as { port: number }).port, '127.0.0.1');
  peer.on('error', () => {});
  const conn = new Connection(await accepted, { ...OPTS, ...opts });
  server.close();
  const closed = new Promise<CamwireError | undefined>((r) => conn.on('close', r));
  return { conn, peer, closed };
}

/** bigFrame is 256 KiB, so a few fill the socket buffers of a peer that does not read. */
const bigFrame = (seq: number) => fakeFrame(seq, { payload: Buffer.alloc(256 * 1024, seq) });

/**
 * fillUntilStuck writes frames as the pump would (only when not busy) until the kernel's buffers
 * are full too: busy, and no drain within 200 ms.
 */
async function fillUntilStuck(conn: Connection): Promise<void> {
  for (let seq = 0, rounds = 0; rounds < 200; rounds++) {
    while (!conn.busy() && seq < 10_000) conn.write(bigFrame(++seq));
    const r = await Promise.race([conn.writable().then(() => 'drained'), new Promise((res) => setTimeout(() => res('stuck'), 200))]);
    if (r === 'stuck') return;
  }
  throw new Error('the socket kept draining although the peer reads nothing');
}

describe('Connection', () => {
  it('decodes messages from the peer in order', async () => {
    const { conn, peer } = await pair();
    const got: Message[] = [];
    conn.on('message', (m) => got.push(m));
    peer.write(Buffer.concat([encodeHello({ role: 'view', stream: 'a' }), encodeHello({ role: 'publish', stream: 'b' })]));
    await waitUntil(() => got.length === 2, 5000, 'two messages');
    assert.deepEqual(got.map((m) => m.type === 'hello' && m.hello.stream), ['a', 'b']);
    conn.destroy();
    peer.destroy();
  });

  it('is a FrameSink: busy while the peer does not read, writable() once it reads again', async () => {
    const { conn, peer } = await pair({ writeStallMs: 10_000, timeoutMs: 10_000 });
    peer.pause();
    await fillUntilStuck(conn);
    assert.ok(conn.busy());
    const w = conn.writable();
    peer.resume();
    await w;
    assert.equal(conn.busy(), false);
    assert.equal(conn.closed, false);
    conn.destroy();
    peer.destroy();
  });

  it('a peer that reads nothing for writeStallMs is disconnected with CAMWIRE_ERR_WRITE_STALL, and writable() resolves', async () => {
    const { conn, peer, closed } = await pair({ timeoutMs: 10_000 });
    peer.pause();
    await fillUntilStuck(conn);
    await conn.writable();
    assert.equal(conn.closed, true);
    assert.ok(isCamwireError(await closed, 'CAMWIRE_ERR_WRITE_STALL'));
    peer.destroy();
  });

  it('sends KEEPALIVE when idle and closes with CAMWIRE_ERR_KEEPALIVE_TIMEOUT when nothing arrives', async () => {
    const { conn, peer, closed } = await pair();
    const d = new Decoder();
    const got: Message[] = [];
    peer.on('data', (c) => got.push(...d.push(c)));
    const err = await closed;
    assert.ok(isCamwireError(err, 'CAMWIRE_ERR_KEEPALIVE_TIMEOUT'), String(err));
    assert.ok(got.filter((m) => m.type === 'keepalive').length >= 2, 'keepalives were sent');
    await waitUntil(() => got.at(-1)?.type === 'error', 5000, 'the peer to be told why');
    assert.equal(conn.closed, true);
    peer.destroy();
  });

  it('a reset by the peer is CAMWIRE_ERR_CONNECTION_LOST with ECONNRESET as the cause', async () => {
    const { conn, peer, closed } = await pair();
    peer.resetAndDestroy();
    const err = await closed;
    assert.ok(isCamwireError(err, 'CAMWIRE_ERR_CONNECTION_LOST'), String(err));
    assert.match(String((err.cause as NodeJS.ErrnoException).code), /ECONNRESET|EPIPE/);
  });

  it('a protocol violation is answered with ERROR and closes with its code', async () => {
    const { conn, peer, closed } = await pair();
    const d = new Decoder();
    const got: Message[] = [];
    peer.on('data', (c) => got.push(...d.push(c)));
    peer.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    assert.ok(isCamwireError(await closed, 'CAMWIRE_ERR_BAD_MAGIC'));
    await waitUntil(() => got.some((m) => m.type === 'error'), 5000, 'the ERROR message');
    assert.equal(conn.closed, true);
    peer.destroy();
  });
});
