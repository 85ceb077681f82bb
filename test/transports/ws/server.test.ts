import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { WebSocket } from 'ws';
import { isJpeg, jpegSize } from '../../../src/codecs/jpeg.js';
import { decodeFrameMessage, type WsFrame } from '../../../src/transports/ws/frame-message.js';
import { ACK_WINDOW, MAX_CONTROL_MESSAGE_BYTES, MAX_SUBSCRIPTIONS, WS_POLICY_CLOSE, type ServerMessage } from '../../../src/transports/ws/control.js';
import { waitUntil } from '../../../support/net.js';
import { expectSkipsWhenStalled } from '../../helpers/stall.js';
import { startTestHub, type TestHub } from '../../helpers/streams.js';

/** Client is a node WebSocket viewer that records what it gets. */
interface Client {
  ws: WebSocket;
  frames: WsFrame[];
  control: ServerMessage[];
  closed: Promise<{ code: number; reason: string }>;
}

async function connect(port: number): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const c: Client = {
    ws,
    frames: [],
    control: [],
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) c.frames.push(decodeFrameMessage(data as Buffer));
    else c.control.push(JSON.parse(data.toString()));
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return c;
}

const subscribe = (c: Client, streams: string[], ack = false) => c.ws.send(JSON.stringify({ type: 'subscribe', streams, ack }));

describe('viewer WebSocket', () => {
  let h: TestHub;
  let port: number;

  before(async () => {
    h = await startTestHub();
    port = h.server.http!.port;
    await h.publish('a');
    await h.publish('b', { width: 176, height: 144 });
  });
  after(() => h.close());

  it('says hello, lists the streams, and sends frames of every subscribed stream on one socket', async () => {
    const c = await connect(port);
    await waitUntil(() => c.control.length >= 2, 3000, 'hello and stream list');
    assert.equal(c.control[0].type, 'hello');
    const list = c.control[1];
    assert.ok(list.type === 'streams' && list.streams.some((s) => s.name === 'a' && s.live));
    subscribe(c, ['a', 'b']);
    await waitUntil(() => c.frames.some((f) => f.stream === 'a') && c.frames.some((f) => f.stream === 'b'), 5000, 'frames of both');
    const b = c.frames.find((f) => f.stream === 'b')!;
    assert.ok(isJpeg(b.payload));
    assert.deepEqual(jpegSize(b.payload), { width: 176, height: 144 });
    assert.equal(b.width, 176);
    c.ws.close();
  });

  it('stops sending a stream once it is unsubscribed, and releases its reader', async () => {
    const c = await connect(port);
    subscribe(c, ['a']);
    await waitUntil(() => c.frames.length > 0, 5000, 'a frame');
    subscribe(c, []);
    await waitUntil(() => h.server.hub.get('a')!.stats().readers.length === 0, 3000, 'the reader to go');
    await new Promise((r) => setTimeout(r, 100)); // frames already in flight
    const n = c.frames.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.frames.length, n);
    c.ws.close();
  });

  it('waits for a stream that does not exist yet without creating it, then delivers it', async () => {
    const c = await connect(port);
    subscribe(c, ['later']);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.server.hub.get('later'), undefined, 'a subscription creates no stream');
    const s = await h.publish('later');
    await waitUntil(() => c.frames.some((f) => f.stream === 'later'), 5000, 'frames once published');
    await s.stop();
    c.ws.close();
  });

  it(`keeps at most ${ACK_WINDOW} unacknowledged frames per stream in flight to a page that acks`, async () => {
    const c = await connect(port);
    subscribe(c, ['a', 'b'], true);
    await waitUntil(() => c.frames.filter((f) => f.stream === 'a').length === ACK_WINDOW, 5000, 'a full window of a');
    await new Promise((r) => setTimeout(r, 400)); // ~6 more frames published meanwhile
    const count = (n: string) => c.frames.filter((f) => f.stream === n).length;
    assert.equal(count('a'), ACK_WINDOW, 'nothing beyond the window');
    assert.equal(count('b'), ACK_WINDOW, 'each stream has its own window');
    const seen = c.frames.filter((f) => f.stream === 'a').map((f) => f.seq);
    c.ws.send(JSON.stringify({ type: 'ack', stream: 'a' }));
    await waitUntil(() => count('a') === ACK_WINDOW + 1, 3000, 'one more frame after one ack');
    const next = c.frames.filter((f) => f.stream === 'a')[ACK_WINDOW];
    assert.ok(next.seq > Math.max(...seen) + 1, 'the frame sent after the ack is the newest, not the next in line');
    assert.equal(count('b'), ACK_WINDOW);
    c.ws.close();
  });

  const BAD: [string, (ws: WebSocket) => void, number][] = [
    ['text that is not JSON', (ws) => ws.send('hello'), WS_POLICY_CLOSE],
    ['an unknown message type', (ws) => ws.send('{"type":"publish"}'), WS_POLICY_CLOSE],
    ['a bad stream name', (ws) => ws.send('{"type":"subscribe","streams":["../etc"]}'), WS_POLICY_CLOSE],
    [`${MAX_SUBSCRIPTIONS + 1} subscriptions`, (ws) => ws.send(JSON.stringify({ type: 'subscribe', streams: Array.from({ length: MAX_SUBSCRIPTIONS + 1 }, (_, i) => `s${i}`) })), WS_POLICY_CLOSE],
    ['a binary message', (ws) => ws.send(Buffer.from([1, 2, 3])), WS_POLICY_CLOSE],
    ['a message over the size limit', (ws) => ws.send('x'.repeat(MAX_CONTROL_MESSAGE_BYTES + 1)), 1009],
  ];
  for (const [name, send, code] of BAD) {
    it(`closes a socket that sends ${name} (${code}); another page keeps its frames`, async () => {
      const good = await connect(port);
      subscribe(good, ['a']);
      const bad = await connect(port);
      send(bad.ws);
      const closed = await bad.closed;
      assert.equal(closed.code, code);
      if (code === WS_POLICY_CLOSE) assert.ok(bad.control.some((m) => m.type === 'error' && m.code.startsWith('CAMWIRE_ERR_')));
      const n = good.frames.length;
      await waitUntil(() => good.frames.length > n + 2, 5000, 'the other page to keep receiving');
      good.ws.close();
    });
  }

  it('never queues frames for a page that stops reading: it skips them', async () => {
    await expectSkipsWhenStalled(h.server.hub, port, 'big', 'ws', async (s) => {
      const key = Buffer.from('0123456789abcdef').toString('base64');
      s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`);
      const head = await new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
      assert.ok(head.startsWith('HTTP/1.1 101 '), head);
      assert.ok(head.includes(`Sec-WebSocket-Accept: ${createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')}`));
      s.write(maskedText('{"type":"subscribe","streams":["big"]}'));
    });
  });
});

/** maskedText is one client-to-server WebSocket text frame (RFC 6455 §5.2: clients must mask). */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  assert.ok(payload.length < 126);
  const mask = Buffer.from([1, 2, 3, 4]);
  const out = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload]);
  for (let i = 0; i < payload.length; i++) out[6 + i] ^= mask[i % 4];
  return out;
}
