import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthenticator, newNonce, parseCredentials, clientSession, type AuthRequest } from '../../src/auth/index.js';
import { credentialsJson } from '../helpers/auth.js';

/** callbackServer answers each POST with `answer(body)` and records the bodies. */
async function callbackServer(answer: (body: Record<string, unknown>) => number | 'hang') {
  const bodies: Record<string, unknown>[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      bodies.push(body);
      const a = answer(body);
      if (a === 'hang') hung.push(res);
      else res.writeHead(a).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth`;
  return {
    url,
    bodies,
    close: () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const req = (over: Partial<AuthRequest> = {}): AuthRequest => ({ action: 'view', stream: 'door', address: '192.168.1.5', transport: 'http', ...over });

test('the HTTP callback allows on 2xx, denies otherwise, and receives user, action, stream, address, transport, secret', async (t) => {
  const cb = await callbackServer((b) => (b.secret === 'good' ? 204 : b.user === 'anon-ok' ? 200 : 403));
  t.after(() => cb.close());
  const auth = await createAuthenticator({ callback: { url: cb.url } });
  assert.equal(auth.enabled, true);
  assert.deepEqual(await auth.checkSecret({ user: 'alice', secret: 'good' }, req()), { ok: true, user: 'alice' });
  assert.deepEqual(cb.bodies[0], { user: 'alice', action: 'view', stream: 'door', address: '192.168.1.5', transport: 'http', authenticated: false, secret: 'good' });
  const d = await auth.checkSecret({ user: 'alice', secret: 'bad' }, req());
  assert.ok(!d.ok && d.code === 'CAMWIRE_ERR_FORBIDDEN' && /auth service refused view on "door"/.test(d.message));
  const anon = await auth.checkSecret(undefined, req({ action: 'metrics', stream: undefined }));
  assert.ok(!anon.ok && anon.code === 'CAMWIRE_ERR_UNAUTHORIZED');
  assert.deepEqual(cb.bodies.at(-1), { user: '', action: 'metrics', stream: null, address: '192.168.1.5', transport: 'http', authenticated: false });
});

test('callback answers are cached briefly: a polling viewer costs one callback', async (t) => {
  const cb = await callbackServer(() => 200);
  t.after(() => cb.close());
  const auth = await createAuthenticator({ callback: { url: cb.url, cacheMs: 60_000 } });
  for (let i = 0; i < 5; i++) assert.equal((await auth.checkSecret({ user: 'a', secret: 's' }, req())).ok, true);
  assert.equal(cb.bodies.length, 1);
  await auth.checkSecret({ user: 'a', secret: 's' }, req({ stream: 'garden' }));
  assert.equal(cb.bodies.length, 2, 'another stream is another question');
});

test('a callback that does not answer in time, or cannot be reached, denies', async (t) => {
  const cb = await callbackServer(() => 'hang');
  t.after(() => cb.close());
  const auth = await createAuthenticator({ callback: { url: cb.url, timeoutMs: 200 } });
  assert.equal((await auth.checkSecret({ user: 'a', secret: 's' }, req())).ok, false);
  const dead = await createAuthenticator({ callback: { url: 'http://127.0.0.1:9/auth', timeoutMs: 1000 } });
  assert.equal((await dead.checkSecret({ user: 'a', secret: 's' }, req())).ok, false);
});

test('TCP/UDP users verified by the auth file are authorised by the callback without any secret', async (t) => {
  const cb = await callbackServer((b) => (b.user === 'cam' && b.action === 'publish' ? 200 : 403));
  t.after(() => cb.close());
  const creds = parseCredentials(await credentialsJson([{ name: 'cam', secret: 'cam-secret', allow: [] }]));
  const auth = await createAuthenticator({ credentials: creds, callback: { url: cb.url } });
  const nonce = newNonce();
  const ch = auth.challenge('cam', nonce);
  const d = await auth.verifyProof(ch, clientSession('cam-secret', ch, nonce).proof, req({ action: 'publish', transport: 'udp' }));
  assert.equal(d.ok, true);
  assert.deepEqual(cb.bodies[0], { user: 'cam', action: 'publish', stream: 'door', address: '192.168.1.5', transport: 'udp', authenticated: true });
  assert.ok(!JSON.stringify(cb.bodies).includes('cam-secret'));
});
