import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startHub, type HubServer } from '../../../src/api/hub-server.js';
import { publishTo, readFrom } from '../../../src/api/remote.js';
import { Decoder } from '../../../src/transports/tcp/decoder.js';
import { encodeFrame, encodeHello, header, MessageType, type Message } from '../../../src/transports/tcp/messages.js';
import { TestSource } from '../../../src/sources/testsrc/testsrc.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { setLogLevel } from '../../../src/util/logger.js';
import { rawConnect, waitUntil } from '../../../support/net.js';

setLogLevel('silent');

let server: HubServer;
let port: number;
let source: TestSource;

before(async () => {
  // Short timers so the stalled-peer cases finish quickly; the logic is the same at any value.
  server = await startHub({ tcpPort: 0, httpPort: null, host: '127.0.0.1', timeoutMs: 600, keepaliveMs: 150, preAuthTimeoutMs: 400 });
  port = server.tcp!.port;
  source = new TestSource({ width: 160, height: 120, fps: 30, quality: 60 });
  await source.start(server.hub.publish('cam', 'test'));
});

after(async () => {
  await source.close();
  await server.close();
});

/** watch reads `cam` through the real client and counts frames until stopped. */
function goodViewer() {
  const r = readFrom(`tcp://127.0.0.1:${port}/cam`, { reconnect: false });
  const state = { frames: 0 };
  const done = (async () => {
    for await (const _ of r) state.frames++;
  })();
  return { state, stop: async () => (await r.close(), await done) };
}

/** rawPeer connects and collects decoded messages and the close. */
async function rawPeer(): Promise<{ s: Socket; messages: Message[]; closed: Promise<void> }> {
  const s = await rawConnect(port);
  const d = new Decoder({ authenticated: true });
  const messages: Message[] = [];
  s.on('data', (c) => {
    try {
      messages.push(...d.push(c));
    } catch {
      /* a broken server reply would fail the assertions below */
    }
  });
  s.on('error', () => {});
  const closed = new Promise<void>((r) => s.on('close', () => r()));
  return { s, messages, closed };
}

async function framesGrow(state: { frames: number }, by = 5) {
  const start = state.frames;
  await waitUntil(() => state.frames >= start + by, 5000, `${by} more frames`);
}

test('a garbage-spewing peer gets a typed ERROR and is disconnected while a good viewer keeps receiving', async () => {
  const v = goodViewer();
  await framesGrow(v.state);
  const p = await rawPeer();
  p.s.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(100)));
  await p.closed;
  const err = p.messages.find((m) => m.type === 'error');
  assert.equal(err?.type === 'error' && err.error.code, 'CAMWIRE_ERR_BAD_MAGIC');
  await framesGrow(v.state);
  await v.stop();
});

test('a peer that stalls mid-frame is disconnected after the timeout; the good viewer carries on', async () => {
  const v = goodViewer();
  const p = await rawPeer();
  p.s.write(encodeHello({ role: 'publish', stream: 'stalled' }));
  const [h, body] = encodeFrame({ codec: 'mjpeg', keyframe: true, seq: 1, captureUs: 1, width: 2, height: 2, payload: Buffer.alloc(50_000) });
  p.s.write(Buffer.concat([h, body.subarray(0, 10_000)])); // then nothing
  await p.closed;
  const err = p.messages.find((m) => m.type === 'error');
  assert.equal(err?.type === 'error' && err.error.code, 'CAMWIRE_ERR_KEEPALIVE_TIMEOUT');
  assert.equal(server.hub.get('stalled')?.publisher ?? null, null, 'the stalled publisher released its stream');
  await framesGrow(v.state);
  await v.stop();
});

test('a peer declaring a 4 GiB frame is refused at the header, memory stays flat', async () => {
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 20; i++) {
    const p = await rawPeer();
    p.s.write(encodeHello({ role: 'publish', stream: `big${i}` }));
    p.s.write(header(MessageType.FRAME, 0xffffffff));
    p.s.write(Buffer.alloc(64 * 1024, 1)); // the start of the "frame" follows
    await p.closed;
    const err = p.messages.find((m) => m.type === 'error');
    assert.equal(err?.type === 'error' && err.error.code, 'CAMWIRE_ERR_FRAME_TOO_LARGE');
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 32 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
});

test('a peer that never says HELLO is dropped after the handshake timeout', async () => {
  const p = await rawPeer();
  await p.closed;
  const err = p.messages.find((m) => m.type === 'error');
  assert.equal(err?.type === 'error' && err.error.code, 'CAMWIRE_ERR_HANDSHAKE_TIMEOUT');
});

test('a frame before HELLO is an unexpected message', async () => {
  const p = await rawPeer();
  p.s.write(Buffer.concat(encodeFrame({ codec: 'mjpeg', keyframe: true, seq: 1, captureUs: 1, width: 2, height: 2, payload: Buffer.alloc(4) })));
  await p.closed;
  const err = p.messages.find((m) => m.type === 'error');
  assert.equal(err?.type === 'error' && err.error.code, 'CAMWIRE_ERR_UNEXPECTED_MESSAGE');
});

test('a second publisher of a stream gets CAMWIRE_ERR_STREAM_BUSY', async () => {
  const out = await publishTo(`tcp://127.0.0.1:${port}/cam`, { reconnect: false });
  await assert.rejects(out.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_STREAM_BUSY'));
  await out.close();
});

test('a viewer asking for a bad stream name gets CAMWIRE_ERR_BAD_STREAM_NAME and stops retrying', async () => {
  const r = readFrom(`tcp://127.0.0.1:${port}/..%2Fetc`, { reconnect: true });
  await assert.rejects(r.client.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_STREAM_NAME'));
  await r.close();
});

test('viewers receive frames in order with their capture time and size', async () => {
  const r = readFrom(`tcp://127.0.0.1:${port}/cam`, { reconnect: false });
  const seqs: number[] = [];
  for await (const f of r) {
    assert.equal(f.width, 160);
    assert.equal(f.height, 120);
    assert.ok(f.captureUs > 1.7e15);
    seqs.push(f.seq);
    if (seqs.length === 10) break;
  }
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1]);
});

test('a hub started with a token refuses clients without it', async () => {
  const guarded = await startHub({ tcpPort: 0, httpPort: null, host: '127.0.0.1', token: 'sesame' });
  try {
    const bad = readFrom(`tcp://127.0.0.1:${guarded.tcp!.port}/x`);
    await assert.rejects(bad.client.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_UNAUTHORIZED'));
    await bad.close();
    const out = await publishTo(`tcp://127.0.0.1:${guarded.tcp!.port}/x`, { token: 'sesame' });
    await waitUntil(() => guarded.hub.get('x')?.publisher != null, 5000, 'publisher with token');
    await out.close();
  } finally {
    await guarded.close();
  }
});

test('connections beyond maxConnections are closed on accept while the open ones keep working', async () => {
  const small = await startHub({ tcpPort: 0, httpPort: null, host: '127.0.0.1', maxConnections: 2, reservedConnections: 0 });
  try {
    const p = small.tcp!.port;
    const held = [await rawConnect(p), await rawConnect(p)];
    await waitUntil(() => small.tcp!.connections === 2, 5000, 'two connections accepted');
    const extra = await rawConnect(p);
    await new Promise<void>((r) => extra.on('close', () => r()));
    assert.equal(small.tcp!.connections, 2);
    held[0].destroy();
    await waitUntil(() => small.tcp!.connections === 1, 5000, 'a slot freed');
    const again = await rawConnect(p);
    await waitUntil(() => small.tcp!.connections === 2, 5000, 'the freed slot reused');
    again.destroy();
    held[1].destroy();
  } finally {
    await small.close();
  }
});

test('startHub gives TCP and HTTP one pre-auth budget: bytes held by a pending HTTP request count against a TCP peer', async () => {
  // Budget = one HTTP request's header allowance (8 KiB, charged on accept) + 50 bytes.
  const hub = await startHub({ tcpPort: 0, httpPort: 0, host: '127.0.0.1', preAuthBudgetBytes: 8192 + 50, preAuthPeerBytes: 8192 });
  try {
    const pendingHttp = await rawConnect(hub.http!.port);
    await waitUntil(() => hub.preAuthBudget.bytes >= 8192, 5000, 'the HTTP connection charged the shared budget');
    const tcpPeer = await rawConnect(hub.tcp!.port);
    const got: Message[] = [];
    const dec = new Decoder();
    tcpPeer.on('data', (b) => got.push(...dec.push(b)));
    // A HELLO header declaring 1000 bytes, then 100 of them: more than the 50 left in the budget.
    tcpPeer.write(Buffer.concat([header(MessageType.HELLO, 1000), Buffer.alloc(100, 0x20)]));
    await new Promise<void>((r) => tcpPeer.on('close', () => r()));
    const err = got.find((m) => m.type === 'error');
    assert.equal(err?.type === 'error' && err.error.code, 'CAMWIRE_ERR_OVERLOADED');
    pendingHttp.destroy();
  } finally {
    await hub.close();
  }
});
