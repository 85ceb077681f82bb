import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { Hub } from '../../../src/hub/hub.js';
import { encodeFrameMessage } from '../../../src/transports/ws/frame-message.js';
import { ACK_WINDOW, WS_POLICY_CLOSE } from '../../../src/transports/ws/control.js';
import { Session } from '../../../src/transports/ws/session.js';
import type { CamwireError } from '../../../src/util/errors.js';
import { fakeFrame } from '../../helpers/frames.js';
import { waitUntil } from '../../helpers/net.js';

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
});
