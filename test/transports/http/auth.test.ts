/**
 * HTTP and WebSocket through the hub's Authenticator (issue 12): an auth file with per-stream
 * rules, a --token, anonymous rules; Bearer, Basic, ?token= and the login cookie; per-stream
 * refusals on the viewer socket; lists showing only what the requester may see. Real sockets.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createAuthenticator, parseCredentials } from '../../../src/auth/index.js';
import { decodeFrameMessage } from '../../../src/transports/ws/frame-message.js';
import { credentialsJson } from '../../helpers/auth.js';
import { waitUntil } from '../../../support/net.js';
import { startTestHub, type TestHub } from '../../helpers/streams.js';

const TOKEN = 'tok-all-7f3a';
const users = [
  { name: 'alice', secret: 'alice-pw', allow: ['view:door*', 'api'] },
  { name: 'ops', secret: 'ops-pw', allow: ['metrics'] },
];
const bearer = (cred: string) => ({ Authorization: `Bearer ${cred}` });
const basic = (user: string, secret: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` });

interface WsSeen {
  ws: WebSocket;
  status?: number;
  lists: string[][];
  errors: { code: string; message: string; stream?: string }[];
  frames: Set<string>;
}

function openWs(port: number, query = '', headers: Record<string, string> = {}): Promise<WsSeen> {
  const seen: WsSeen = { ws: new WebSocket(`ws://127.0.0.1:${port}/ws${query}`, { headers }), lists: [], errors: [], frames: new Set() };
  seen.ws.on('message', (d, bin) => {
    if (bin) {
      const f = decodeFrameMessage(d as Buffer);
      seen.frames.add(f.stream);
      seen.ws.send(JSON.stringify({ type: 'ack', stream: f.stream }));
      return;
    }
    const m = JSON.parse(String(d));
    if (m.type === 'streams') seen.lists.push(m.streams.map((s: { name: string }) => s.name).sort());
    if (m.type === 'error') seen.errors.push(m);
  });
  return new Promise((resolve) => {
    seen.ws.on('open', () => resolve(seen));
    seen.ws.on('unexpected-response', (_req, res) => resolve({ ...seen, status: res.statusCode }));
    seen.ws.on('error', () => {});
  });
}

describe('HTTP and WebSocket auth', () => {
  let h: TestHub;
  let port: number;
  before(async () => {
    const credentials = parseCredentials(await credentialsJson(users, ['view:lobby']));
    h = await startTestHub({ auth: await createAuthenticator({ credentials, token: TOKEN }) });
    port = h.server.http!.port;
    for (const name of ['door1', 'door2', 'yard', 'lobby']) await h.publish(name);
    await waitUntil(() => ['door1', 'door2', 'yard', 'lobby'].every((n) => !!h.server.hub.get(n)?.last), 5000, 'first frames');
  });
  after(() => h.close());

  const status = async (path: string, headers: Record<string, string> = {}) => (await fetch(h.base + path, { headers })).status;
  const listed = async (headers: Record<string, string>) => ((await (await fetch(`${h.base}/api/streams`, { headers })).json()) as { streams: { name: string }[] }).streams.map((s) => s.name).sort();

  it('asks for the action each route needs, per stream, with Bearer, Basic or the token', async () => {
    const cases: [string, Record<string, string>, number][] = [
      ['/api/streams', {}, 401],
      ['/api/streams', bearer('alice:wrong'), 401],
      ['/api/streams', bearer('alice:alice-pw'), 200],
      ['/api/streams', basic('alice', 'alice-pw'), 200],
      ['/api/streams', bearer(TOKEN), 200],
      ['/streams/door1.jpg', bearer('alice:alice-pw'), 200],
      ['/streams/yard.jpg', bearer('alice:alice-pw'), 403],
      ['/streams/yard.jpg', {}, 401],
      ['/streams/lobby.jpg', {}, 200],
      ['/metrics', bearer('alice:alice-pw'), 403],
      ['/metrics', basic('ops', 'ops-pw'), 200],
      ['/api/recordings?stream=door1', bearer('alice:alice-pw'), 403],
      ['/healthz', {}, 200],
      ['/', {}, 200],
      ['/?stream=door1&token=nope', {}, 200],
    ];
    for (const [path, headers, want] of cases) assert.equal(await status(path, headers), want, `${path} ${JSON.stringify(headers)}`);
  });

  it('reads ?token= only where headers cannot be sent, and says what to send instead', async () => {
    assert.equal(await status('/streams/door1.jpg?token=alice:alice-pw'), 200);
    assert.equal(await status('/streams/yard.mjpeg?token=alice:alice-pw'), 403);
    const r = await fetch(`${h.base}/api/streams?token=${TOKEN}`);
    assert.equal(r.status, 401);
    assert.match(((await r.json()) as { error: { message: string } }).error.message, /Authorization: Bearer/);
  });

  it('lists in /api/streams only the streams the requester may view', async () => {
    assert.deepEqual(await listed(bearer('alice:alice-pw')), ['door1', 'door2']);
    assert.deepEqual(await listed(bearer(TOKEN)), ['door1', 'door2', 'lobby', 'yard']);
  });

  it('refuses the viewer socket without a usable credential, and shows each page only what it may view', async () => {
    assert.equal((await openWs(port, '?token=alice:nope')).status, 401);
    const anon = await openWs(port);
    assert.equal(anon.status, undefined, 'anonymous may view lobby, so the socket opens');
    const alice = await openWs(port, '?token=alice:alice-pw');
    try {
      await waitUntil(() => alice.lists.length > 0 && anon.lists.length > 0, 5000, 'stream lists');
      assert.deepEqual(alice.lists[0], ['door1', 'door2']);
      assert.deepEqual(anon.lists[0], ['lobby']);
      alice.ws.send(JSON.stringify({ type: 'subscribe', streams: ['door1', 'yard'], ack: true }));
      await waitUntil(() => alice.frames.has('door1') && alice.errors.length > 0, 5000, 'door1 frames and a refusal for yard');
      assert.equal(alice.errors[0].stream, 'yard');
      assert.equal(alice.errors[0].code, 'CAMWIRE_ERR_FORBIDDEN');
      assert.match(alice.errors[0].message, /alice.*may not view "yard"/);
      assert.equal(alice.ws.readyState, WebSocket.OPEN, 'one refused stream does not close the socket');
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!alice.frames.has('yard'), 'no frame of a refused stream');
      anon.ws.send(JSON.stringify({ type: 'subscribe', streams: ['door2'], ack: true }));
      await waitUntil(() => anon.errors.length > 0, 5000, 'a refusal for anonymous');
      assert.equal(anon.errors[0].code, 'CAMWIRE_ERR_UNAUTHORIZED');
      assert.match(anon.errors[0].message, /requires credentials to view/);
    } finally {
      alice.ws.close();
      anon.ws.close();
    }
  });

  it('logs a browser in with a session cookie (HttpOnly, SameSite=Strict) that works for the API and the socket, until logout', async () => {
    const login = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${h.base}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    assert.equal((await login({ user: 'alice', secret: 'nope' })).status, 401);
    assert.equal((await login({ user: 'alice', secret: 'alice-pw' }, { Origin: 'http://evil.example' })).status, 403);
    assert.equal((await fetch(`${h.base}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'user=alice&secret=alice-pw' })).status, 400);
    const r = await login({ user: 'alice', secret: 'alice-pw' });
    assert.equal(r.status, 200);
    const set = r.headers.get('set-cookie') ?? '';
    assert.match(set, new RegExp(`^camwire-session-${port}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+$`));
    const cookie = { Cookie: set.split(';')[0] };
    assert.deepEqual(await listed(cookie), ['door1', 'door2']);
    assert.deepEqual(await (await fetch(`${h.base}/api/session`, { headers: cookie })).json(), { auth: true, user: 'alice', view: true });
    const ws = await openWs(port, '', cookie);
    assert.equal(ws.status, undefined);
    await waitUntil(() => ws.lists.length > 0, 5000, 'a stream list');
    assert.deepEqual(ws.lists[0], ['door1', 'door2']);
    ws.ws.close();
    const out = await fetch(`${h.base}/api/session`, { method: 'DELETE', headers: cookie });
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal(await status('/api/streams', cookie), 401, 'the session is gone');
    assert.deepEqual(await (await fetch(`${h.base}/api/session`)).json(), { auth: true, user: null, view: true });
  });
});

describe('HTTP auth under a reset', () => {
  it('survives peers that reset their WebSocket upgrade while its credential is being checked', async () => {
    const { connect } = await import('node:net');
    // An unknown user costs a full-price scrypt (a fake salt), long enough for the reset to land mid-check.
    const h = await startTestHub({ auth: await createAuthenticator({ token: TOKEN }) });
    try {
      const port = h.server.http!.port;
      for (let i = 0; i < 12; i++) {
        const s = connect({ port, host: '127.0.0.1' });
        s.on('error', () => {});
        await new Promise((r) => s.once('connect', r));
        s.write(`GET /ws?token=nobody${i}:guess HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        await new Promise((r) => setTimeout(r, 5));
        s.resetAndDestroy();
      }
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await fetch(`${h.base}/healthz`)).status, 200, 'the hub still answers');
    } finally {
      await h.close();
    }
  });
});
