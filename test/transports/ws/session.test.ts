import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { Hub } from '../../../src/hub/hub.js';
import { encodeFrameMessage } from '../../../src/transports/ws/frame-message.js';
import { ACK_WINDOW, WS_POLICY_CLOSE } from '../../../src/transports/ws/control.js';
import { CONTROL_BURST, CONTROL_RATE_PER_SECOND, Session } from '../../../src/transports/ws/session.js';
import type { CamwireError } from '../../../src/util/errors.js';
import { fakeFrame } from '../../helpers/frames.js';
import { waitUntil } from '../../../support/net.js';

/** A Session on the server end of a real WebSocket, and the client end that plays the page. */
interface Pair {
  session: Session;
  client: WebSocket;
  frames: number[];
  text: string[];
  ended: Promise<CamwireError | undefined>;
}

describe('ws session', () => {
  const hub = new Hub();
  let server: Server;
  let wss: WebSocketServer;
  let port: number;
  before(async () => {
    server = createServer();
    wss = new WebSocketServer({ server });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await hub.close();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function pair(): Promise<Pair> {
    const accepted = new Promise<WebSocket>((r) => wss.once('connection', r));
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const frames: number[] = [];
    const text: string[] = [];
    client.on('message', (d, bin) => (bin ? frames.push((d as Buffer).length) : text.push(d.toString())));
    let end!: (e: CamwireError | undefined) => void;
    const ended = new Promise<CamwireError | undefined>((r) => (end = r));
    const session = new Session(await accepted, hub, { label: 'test', encode: encodeFrameMessage, onClose: (_s, e) => end(e) });
    await new Promise((r) => client.once('open', r));
    return { session, client, frames, text, ended };
  }

  it('creates no stream for a subscription to a missing one, and attaches on reconcile once it exists', async () => {
    const p = await pair();
    p.client.send(JSON.stringify({ type: 'subscribe', streams: ['later'] }));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(hub.get('later'), undefined);
    const pub = hub.publish('later');
    p.session.reconcile();
    pub.publish(fakeFrame(1, { stream: 'later' }));
    await waitUntil(() => p.frames.length === 1, 3000, 'the frame');
    p.client.close();
    assert.equal(await p.ended, undefined, 'a clean close is no error');
    assert.equal(hub.get('later')!.stats().readers.length, 0, 'the reader is released');
    pub.end();
  });

  it(`holds an acknowledging page to ${ACK_WINDOW} frames in flight per stream`, async () => {
    const pub = hub.publish('acked');
    const p = await pair();
    p.client.send(JSON.stringify({ type: 'subscribe', streams: ['acked'], ack: true }));
    await waitUntil(() => hub.get('acked')!.stats().readers.length === 1, 3000, 'the reader');
    for (let i = 0; i < 6; i++) {
      pub.publish(fakeFrame(i, { stream: 'acked' }));
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(p.frames.length, ACK_WINDOW);
    p.client.send(JSON.stringify({ type: 'ack', stream: 'acked' }));
    await waitUntil(() => p.frames.length === ACK_WINDOW + 1, 3000, 'one more after an ack');
    p.client.close();
    pub.end();
  });

  it('answers a protocol violation with a typed error message and close 1008, releasing its readers', async () => {
    const pub = hub.publish('v');
    const p = await pair();
    const closed = new Promise<number>((r) => p.client.once('close', (code) => r(code)));
    p.client.send(JSON.stringify({ type: 'subscribe', streams: ['v'] }));
    await waitUntil(() => hub.get('v')!.stats().readers.length === 1, 3000, 'the reader');
    p.client.send(Buffer.from([1, 2, 3]));
    assert.equal((await p.ended)?.code, 'CAMWIRE_ERR_UNEXPECTED_MESSAGE');
    assert.equal(await closed, WS_POLICY_CLOSE);
    assert.match(p.text.at(-1)!, /"code":"CAMWIRE_ERR_UNEXPECTED_MESSAGE"/);
    assert.equal(hub.get('v')!.stats().readers.length, 0);
    pub.end();
  });

  /** burst sends `n` alternating subscribe/unsubscribe messages then a final subscribe, counting reader changes. */
  async function burst(name: string, n: number) {
    const pub = hub.publish(name);
    pub.publish(fakeFrame(1, { stream: name })); // each new reader gets this keyframe at once
    const p = await pair();
    let changes = 0;
    const count = (s: string) => s === name && (changes += 1);
    hub.on('stream', count);
    const t0 = Date.now();
    for (let i = 0; i < n; i++) p.client.send(JSON.stringify({ type: 'subscribe', streams: i % 2 === 0 ? [name] : [] }));
    p.client.send(JSON.stringify({ type: 'subscribe', streams: [name] }));
    return {
      pub,
      p,
      /** finish stops counting and returns the changes and the most a rate-limited socket may cause. */
      finish: () => {
        hub.off('stream', count);
        return { changes, allowed: CONTROL_BURST + ((Date.now() - t0) / 1000) * CONTROL_RATE_PER_SECOND + 2 };
      },
    };
  }

  it('slows a page over its control budget down, and its last subscribe still wins', async () => {
    const { pub, p, finish } = await burst('busy', CONTROL_BURST + 5);
    await waitUntil(() => hub.get('busy')!.stats().readers.length === 1 && p.frames.length > 0, 10_000, 'the final subscription');
    await new Promise((r) => setTimeout(r, 300));
    const { changes, allowed } = finish();
    assert.ok(changes <= allowed, `${changes} reader changes; at most ${allowed.toFixed(0)} allowed`);
    assert.ok(!p.session.closed, 'a page a little over its budget is slowed down, not disconnected');
    p.client.close();
    pub.end();
  });

  it('closes a socket flooding subscribe/unsubscribe with CAMWIRE_ERR_RATE_LIMITED before it costs many readers', async () => {
    const { pub, p, finish } = await burst('flood', 500);
    assert.equal((await p.ended)?.code, 'CAMWIRE_ERR_RATE_LIMITED');
    const { changes, allowed } = finish();
    assert.ok(changes <= allowed, `${changes} reader changes for 501 subscribes; at most ${allowed.toFixed(0)} allowed`);
    await waitUntil(() => hub.get('flood')!.stats().readers.length === 0, 3000, 'its readers released');
    pub.end();
  });

  it('never rate-limits acks of frames in flight', async () => {
    const pub = hub.publish('fast');
    const p = await pair();
    p.client.on('message', (_d, bin) => bin && p.client.send(JSON.stringify({ type: 'ack', stream: 'fast' })));
    p.client.send(JSON.stringify({ type: 'subscribe', streams: ['fast'], ack: true }));
    await waitUntil(() => hub.get('fast')!.stats().readers.length === 1, 3000, 'the reader');
    for (let i = 0; i < 100; i++) {
      pub.publish(fakeFrame(i, { stream: 'fast' }));
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitUntil(() => p.frames.length >= 40, 5000, 'most frames while acking every one');
    assert.ok(p.frames.length > CONTROL_BURST + 10, `${p.frames.length} frames: acks beyond the control budget still open the window`);
    p.client.close();
    pub.end();
  });
});
