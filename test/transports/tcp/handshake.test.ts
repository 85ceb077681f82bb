import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { createAuthenticator, parseCredentials, type Authenticator } from '../../../src/auth/index.js';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { Hub } from '../../../src/hub/hub.js';
import { publishTo, readFrom } from '../../../src/api/remote.js';
import { TcpServer } from '../../../src/transports/tcp/server.js';
import { Decoder } from '../../../src/transports/tcp/decoder.js';
import { ClientHandshake } from '../../../src/transports/tcp/handshake.js';
import { encodeChallenge, encodeHello, encodeWelcome, header, HEADER_BYTES, MessageType, type Message } from '../../../src/transports/tcp/messages.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { setLogLevel } from '../../../src/util/logger.js';
import { fakeFrame } from '../../helpers/frames.js';
import { credentialsJson } from '../../helpers/auth.js';
import { HOSTILE_CONTROL, label } from '../../helpers/hostile.js';
import { waitUntil } from '../../../support/net.js';

setLogLevel('silent');

const TOKEN = 'tok-9Xq/4@z:w';
let hub: Hub;
let server: TcpServer;
let auth: Authenticator;

before(async () => {
  const creds = parseCredentials(
    await credentialsJson([
      { name: 'cam', secret: 'cam-secret/with:colon', allow: ['publish:door'] },
      { name: 'alice', secret: 'alice-secret', allow: ['view:door'] },
    ]),
  );
  auth = await createAuthenticator({ credentials: creds, token: TOKEN, allowPublish: ['127.0.0.2/32'] });
  hub = new Hub();
  server = new TcpServer(hub, { ...DEFAULTS, host: '127.0.0.1', port: 0, auth });
  await server.start();
});

after(async () => {
  await server.close();
  await hub.close();
});

const url = (stream: string) => `tcp://127.0.0.1:${server.port}/${stream}`;
const once = { reconnect: false } as const;

/** raw opens a socket (optionally from another loopback address) and collects what the hub says. */
async function raw(port: number, localAddress = '127.0.0.1') {
  const s: Socket = await new Promise((resolve, reject) => {
    const c = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(c));
    c.once('error', reject);
  });
  const d = new Decoder();
  const messages: Message[] = [];
  s.on('data', (c) => {
    try {
      messages.push(...d.push(c));
      while (true) {
        const more = d.push(Buffer.alloc(0));
        if (more.length === 0) break;
        messages.push(...more);
      }
    } catch {
      s.destroy();
    }
  });
  s.on('error', () => {});
  const closed = new Promise<void>((r) => s.on('close', () => r()));
  const next = async (type: Message['type']) => {
    await waitUntil(() => messages.some((m) => m.type === type || m.type === 'error'), 5000, type);
    return messages.find((m) => m.type === type || m.type === 'error')!;
  };
  return { s, messages, closed, next };
}

/** errorOf returns the code a fatal client failure settled with. */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isCamwireError(e) ? e.code : String(e);
  }
  return 'no error';
}

test('a user publishes only the streams its rules allow; a viewer views only its own', async () => {
  const door = await publishTo(url('door'), { ...once, token: 'cam:cam-secret/with:colon' });
  door.publish(fakeFrame(1));
  await waitUntil(() => hub.get('door')?.publisher != null, 5000, 'cam publishes door');
  const gate = await publishTo(url('gate'), { ...once, token: 'cam:cam-secret/with:colon' });
  assert.equal(await errorOf(gate.done), 'CAMWIRE_ERR_FORBIDDEN', 'cam may not publish gate');
  await gate.close();

  const good = readFrom(url('door'), { ...once, token: 'alice:alice-secret' });
  const it = good[Symbol.asyncIterator]();
  const tick = setInterval(() => door.publish(fakeFrame(2)), 50);
  try {
    assert.equal((await it.next()).done, false, 'alice views door');
  } finally {
    clearInterval(tick);
  }
  await good.close();
  hub.publish('garden', 'test');
  const other = readFrom(url('garden'), { ...once, token: 'alice:alice-secret' });
  assert.equal(await errorOf(other.client.done), 'CAMWIRE_ERR_FORBIDDEN', 'alice may not view garden');
  await other.close();
  await door.close();
});

test('a wrong secret, an unknown user and an anonymous viewer are refused with UNAUTHORIZED and a line saying what to do', async () => {
  for (const token of ['alice:alice-secreT', 'mallory:alice-secret']) {
    const r = readFrom(url('door'), { ...once, token });
    await assert.rejects(r.client.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_UNAUTHORIZED') && /wrong user or secret; check the credential \(set CAMWIRE_TOKEN/.test(e.message));
    await r.close();
  }
  const anon = readFrom(url('door'), once);
  await assert.rejects(anon.client.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_UNAUTHORIZED') && /requires credentials to view: set CAMWIRE_TOKEN/.test(e.message));
  await anon.close();
});

test('the --token credential (even one with ":" and "/") may do everything', async () => {
  const out = await publishTo(url('anything'), { ...once, token: TOKEN });
  out.publish(fakeFrame(1));
  await waitUntil(() => hub.get('anything')?.publisher != null, 5000, 'token publishes');
  await out.close();
});

test('a library TcpServer with only the token option challenges it; a NAME:SECRET-shaped token works, half of it does not', async () => {
  const h = new Hub();
  const s = new TcpServer(h, { ...DEFAULTS, host: '127.0.0.1', port: 0, token: 'team:s3cret' });
  await s.start();
  try {
    const u = `tcp://127.0.0.1:${s.port}/t`;
    const ok = await publishTo(u, { ...once, token: 'team:s3cret' });
    ok.publish(fakeFrame(1));
    await waitUntil(() => h.get('t')?.publisher != null, 5000, 'the NAME:SECRET-shaped token publishes');
    await ok.close();
    for (const token of ['s3cret', 'team:s3creT']) {
      const bad = await publishTo(u, { ...once, token });
      assert.equal(await errorOf(bad.done), 'CAMWIRE_ERR_UNAUTHORIZED', token);
      await bad.close();
    }
  } finally {
    await s.close();
    await h.close();
  }
});

test('allowPublish lets a listed address publish without credentials while auth is on; others are refused', async () => {
  const listed = await raw(server.port, '127.0.0.2');
  listed.s.write(encodeHello({ role: 'publish', stream: 'cam2' }));
  assert.equal((await listed.next('welcome')).type, 'welcome');
  listed.s.destroy();
  const other = await raw(server.port, '127.0.0.3');
  other.s.write(encodeHello({ role: 'publish', stream: 'cam3' }));
  const m = await other.next('welcome');
  assert.equal(m.type === 'error' && m.error.code, 'CAMWIRE_ERR_UNAUTHORIZED');
});

test('a CHALLENGE is never larger than the HELLO that asked for it; an unpadded HELLO gets no challenge', async () => {
  const hs = new ClientHandshake({ user: 'alice', secret: 'alice-secret' }, 'test');
  const hello = hs.hello('view', 'door');
  const padded = await raw(server.port);
  padded.s.write(hello);
  const ch = await padded.next('challenge');
  assert.equal(ch.type, 'challenge');
  assert.ok(ch.type === 'challenge' && ch.bytes <= hello.length - HEADER_BYTES, `challenge ${ch.type === 'challenge' ? ch.bytes : 0} B vs HELLO ${hello.length - HEADER_BYTES} B`);
  padded.s.destroy();
  const bare = await raw(server.port);
  bare.s.write(encodeHello({ role: 'view', stream: 'door', user: 'alice', nonce: 'bm9uY2Vub25jZQ==' }));
  const m = await bare.next('challenge');
  assert.equal(m.type === 'error' && m.error.code, 'CAMWIRE_ERR_MALFORMED_MESSAGE');
  assert.ok(!bare.messages.some((x) => x.type === 'challenge'));
});

test('a captured PROOF does not log in on another connection (fresh nonces each time)', async () => {
  const first = await raw(server.port);
  const hs = new ClientHandshake({ user: 'alice', secret: 'alice-secret' }, 'test');
  first.s.write(hs.hello('view', 'door'));
  const ch = await first.next('challenge');
  const proof = hs.answer(ch.type === 'challenge' ? ch.challenge : ({} as never));
  first.s.destroy();
  const replay = await raw(server.port);
  replay.s.write(new ClientHandshake({ user: 'alice', secret: 'not-known' }, 'test').hello('view', 'door'));
  await replay.next('challenge');
  replay.s.write(proof);
  const m = await replay.next('welcome');
  assert.equal(m.type === 'error' && m.error.code, 'CAMWIRE_ERR_UNAUTHORIZED');
});

test('after 10 wrong secrets an address is refused even with the right one, within the minute', async () => {
  const a = await createAuthenticator({ credentials: parseCredentials(await credentialsJson([{ name: 'v', secret: 'right', allow: ['view:*'] }])) });
  const h = new Hub();
  const s = new TcpServer(h, { ...DEFAULTS, host: '127.0.0.1', port: 0, auth: a });
  await s.start();
  try {
    const u = `tcp://127.0.0.1:${s.port}/x`;
    for (let i = 0; i < 10; i++) {
      const r = readFrom(u, { ...once, token: 'v:wrong' });
      assert.equal(await errorOf(r.client.done), 'CAMWIRE_ERR_UNAUTHORIZED');
      await r.close();
    }
    const right = readFrom(u, { ...once, token: 'v:right' });
    await assert.rejects(right.client.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_UNAUTHORIZED') && /too many wrong secrets/.test(e.message));
    await right.close();
  } finally {
    await s.close();
    await h.close();
  }
});

/** fakeHub answers like a hub that does not know the credential: `reply` decides what it sends. */
async function fakeHub(reply: (s: Socket, m: Message) => void) {
  const srv = createServer((s) => {
    s.on('error', () => {});
    const d = new Decoder();
    s.on('data', (c) => {
      try {
        for (let m = d.push(c); m.length; m = d.push(Buffer.alloc(0))) reply(s, m[0]!);
      } catch {
        s.destroy();
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { srv, port: (srv.address() as { port: number }).port };
}

test('a client with a credential detects a fake hub: no signature, or a signature made without its keys', async () => {
  const welcome = encodeWelcome({ stream: 'x', keepaliveMs: 1000 });
  const skipper = await fakeHub((s, m) => m.type === 'hello' && s.write(welcome));
  const forger = await fakeHub((s, m) => {
    if (m.type === 'hello') s.write(encodeChallenge({ salt: 'c2FsdHNhbHRzYWx0c2FsdA==', n: 1024, r: 8, p: 1, nonce: 'bm9uY2Vub25jZW5vbmNl' }));
    if (m.type === 'proof') s.write(encodeWelcome({ stream: 'x', keepaliveMs: 1000, signature: Buffer.alloc(32, 7).toString('base64') }));
  });
  try {
    for (const f of [skipper, forger]) {
      const r = readFrom(`tcp://127.0.0.1:${f.port}/x`, { ...once, token: 'alice:alice-secret' });
      await assert.rejects(r.client.done, (e) => isCamwireError(e, 'CAMWIRE_ERR_UNAUTHORIZED') && /did not prove it knows your credential/.test(e.message));
      await r.close();
    }
    // Without a credential there is nothing to prove: the same fake hub is just a hub.
    const anon = readFrom(`tcp://127.0.0.1:${skipper.port}/x`, once);
    await waitUntil(() => (anon.client as { connected: boolean }).connected, 5000, 'anonymous client welcomed');
    await anon.close();
  } finally {
    skipper.srv.close();
    forger.srv.close();
  }
});

test('hostile CHALLENGE bodies (huge costs, bad salts) end in a typed error, never a crash or a huge scrypt', async () => {
  const hostile = HOSTILE_CONTROL.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && !Array.isArray(c) && (c as { type?: unknown }).type === 'challenge');
  const bodies = [...hostile.map(({ type: _t, ...rest }) => rest), { salt: 'c2FsdHNhbHRzYWx0c2FsdA==', n: 2 ** 30, r: 8, p: 1, nonce: 'bm9uY2Vub25jZW5vbmNl' }, { salt: '', n: 1024, r: 8, p: 1, nonce: 'bm9uY2Vub25jZW5vbmNl' }];
  for (const body of bodies) {
    const bytes = Buffer.from(JSON.stringify(body));
    const f = await fakeHub((s, m) => m.type === 'hello' && s.write(Buffer.concat([header(MessageType.CHALLENGE, bytes.length), bytes])));
    try {
      const r = readFrom(`tcp://127.0.0.1:${f.port}/x`, { ...once, token: 'alice:alice-secret', handshakeTimeoutMs: 1000 });
      const code = await errorOf(r.client.done);
      assert.match(code, /^CAMWIRE_ERR_(MALFORMED_MESSAGE|HANDSHAKE_TIMEOUT|MESSAGE_TOO_LARGE)$/, label(body));
      await r.close();
    } finally {
      f.srv.close();
    }
  }
});

