import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthenticator, fromHttp, fromTokenString, fromUserinfo, parseCredentials, type AuthRequest } from '../../src/auth/index.js';
import { credentialsJson } from '../helpers/auth.js';

const view = (stream: string, address = '192.168.1.5'): AuthRequest => ({ action: 'view', stream, address, transport: 'http' });
const publish = (stream: string, address: string, transport: AuthRequest['transport'] = 'tcp'): AuthRequest => ({ action: 'publish', stream, address, transport });

test('a hub without auth: anyone views, publishing only from loopback and allowPublish, and the refusal names the flag', async () => {
  const auth = await createAuthenticator({ allowPublish: ['10.0.0.0/8', 'fd00::/8'] });
  assert.equal(auth.enabled, false);
  for (const a of ['192.168.1.5', '::ffff:192.168.1.5', '2001:db8::1']) {
    assert.equal((await auth.authorize(undefined, view('door', a))).ok, true, `view from ${a}`);
    assert.equal((await auth.authorize(undefined, { action: 'api', address: a, transport: 'http' })).ok, true);
    assert.equal((await auth.authorize(undefined, { action: 'metrics', address: a, transport: 'http' })).ok, true);
  }
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '10.1.2.3', '::ffff:10.1.2.3', 'fd00::5']) {
    assert.equal((await auth.authorize(undefined, publish('door', a))).ok, true, `publish from ${a}`);
  }
  for (const a of ['192.168.1.5', '::ffff:192.168.1.5', '2001:db8::1', '11.0.0.1']) {
    const d = await auth.authorize(undefined, publish('door', a, 'udp'));
    assert.equal(d.ok, false, `publish from ${a}`);
    assert.ok(!d.ok && d.code === 'CAMWIRE_ERR_FORBIDDEN');
    assert.match(!d.ok ? d.message : '', /--allow-publish/);
  }
  const d = await auth.authorize(undefined, publish('door', '192.168.1.5'));
  assert.match(!d.ok ? d.message : '', /from 192\.168\.1\.5 refused.*--allow-publish 192\.168\.1\.0\/24/);
  assert.equal((await auth.authorize(undefined, { action: 'record', stream: 'door', address: '192.168.1.5', transport: 'http' })).ok, false);
  assert.equal(auth.can(undefined, 'publish', 'door'), false, 'no address: no anonymous publish');
});

test('bad allowPublish entries are a config error naming the key', async () => {
  for (const bad of ['10.0.0.0/33', 'hub.local', '10.0.0.0/8/1', '::/129', '']) {
    await assert.rejects(createAuthenticator({ allowPublish: [bad] }), /allowPublish: ".*" is not an address or CIDR/);
  }
});

test('with auth on, anonymous peers get only the file\'s "anonymous" rules, and a clear line on what to present', async () => {
  const creds = parseCredentials(await credentialsJson([{ name: 'cam', secret: 's3', allow: ['publish:door'] }], ['metrics', 'view:lobby']));
  const auth = await createAuthenticator({ credentials: creds });
  assert.equal(auth.enabled, true);
  assert.equal((await auth.authorize(undefined, { action: 'metrics', address: '1.2.3.4', transport: 'http' })).ok, true);
  assert.equal((await auth.authorize(undefined, view('lobby'))).ok, true);
  const d = await auth.authorize(undefined, view('door'));
  assert.ok(!d.ok && d.code === 'CAMWIRE_ERR_UNAUTHORIZED' && /Bearer/.test(d.message));
  const t = await auth.authorize(undefined, publish('door', '127.0.0.1'));
  assert.ok(!t.ok && /CAMWIRE_TOKEN/.test(t.message), 'loopback is not special once auth is on');
});

test('checkSecret: right secret, wrong secret, unknown user, the --token credential', async () => {
  const creds = parseCredentials(await credentialsJson([{ name: 'alice', secret: 'pa:ss/w@rd', allow: ['view:door*', 'api'] }]));
  const auth = await createAuthenticator({ credentials: creds, token: 'admin-token' });
  assert.deepEqual(await auth.checkSecret({ user: 'alice', secret: 'pa:ss/w@rd' }, view('door2')), { ok: true, user: 'alice' });
  const forbidden = await auth.checkSecret({ user: 'alice', secret: 'pa:ss/w@rd' }, view('garden'));
  assert.ok(!forbidden.ok && forbidden.code === 'CAMWIRE_ERR_FORBIDDEN');
  const wrong = await auth.checkSecret({ user: 'alice', secret: 'pa:ss/w@rD' }, view('door', '10.0.0.1'));
  const unknown = await auth.checkSecret({ user: 'bob', secret: 'pa:ss/w@rd' }, view('door', '10.0.0.2'));
  assert.deepEqual(wrong, { ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: `wrong user or secret; check the credential (send "Authorization: Bearer TOKEN" (or NAME:SECRET), Basic auth, or ?token=)` });
  assert.deepEqual(unknown, wrong);
  assert.deepEqual(await auth.checkSecret({ user: '', secret: 'admin-token' }, publish('anything', '10.0.0.3')), { ok: true, user: '' });
  assert.equal((await auth.checkSecret({ user: '', secret: 'admin-tokeN' }, view('door'))).ok, false);
});

test('a token with a colon still works as the --token credential', async () => {
  const auth = await createAuthenticator({ token: 'team:secret' });
  assert.equal((await auth.checkSecret(fromTokenString('team:secret'), view('x'))).ok, true);
  assert.equal((await auth.checkSecret(fromTokenString('team:secreT'), view('x'))).ok, false);
  // Only a name-like prefix is a user: a token with "/" before its ":" stays whole (TCP/UDP send the user in clear).
  assert.deepEqual(fromTokenString('wire-secret/Zp@x9:Lm4'), { user: '', secret: 'wire-secret/Zp@x9:Lm4' });
  assert.deepEqual(fromTokenString('cam:pa/ss'), { user: 'cam', secret: 'pa/ss' });
});

test('after 10 wrong secrets an address is refused without checking, even with the right one; others are not', async () => {
  const creds = parseCredentials(await credentialsJson([{ name: 'alice', secret: 'right', allow: ['view:*'] }]));
  const auth = await createAuthenticator({ credentials: creds });
  for (let i = 0; i < 10; i++) assert.equal((await auth.checkSecret({ user: 'alice', secret: `wrong${i}` }, view('d', '10.9.9.9'))).ok, false);
  const d = await auth.checkSecret({ user: 'alice', secret: 'right' }, view('d', '10.9.9.9'));
  assert.ok(!d.ok && /too many wrong secrets from 10\.9\.9\.9/.test(d.message));
  assert.equal((await auth.checkSecret({ user: 'alice', secret: 'right' }, view('d', '10.9.9.8'))).ok, true);
});

test('a verified secret is cached: the second check does not derive keys again', async () => {
  const creds = parseCredentials(await credentialsJson([{ name: 'alice', secret: 'right', allow: ['view:*'] }]));
  const auth = await createAuthenticator({ credentials: creds });
  assert.equal((await auth.checkSecret({ user: 'alice', secret: 'right' }, view('d'))).ok, true);
  // Spoil the stored key: only a cached verification can still pass.
  creds.users.get('alice')!.keys.storedKey = Buffer.alloc(32);
  assert.equal((await auth.checkSecret({ user: 'alice', secret: 'right' }, view('d'))).ok, true);
  assert.equal((await auth.checkSecret({ user: 'alice', secret: 'other' }, view('d'))).ok, false, 'a different secret is not a cache hit');
});

test('credentials arrive as Bearer, Basic, ?token= and URL userinfo with any characters', () => {
  const basic = 'Basic ' + Buffer.from('alice:pa:ss/w@rd').toString('base64');
  assert.deepEqual(fromHttp(basic, null), { user: 'alice', secret: 'pa:ss/w@rd' });
  assert.deepEqual(fromHttp('Bearer alice:s3', null), { user: 'alice', secret: 's3' });
  assert.deepEqual(fromHttp('bearer   tok  ', null), { user: '', secret: 'tok' });
  assert.deepEqual(fromHttp(undefined, 'tok'), { user: '', secret: 'tok' });
  assert.deepEqual(fromHttp('Bearer a', 'b'), { user: '', secret: 'a' }, 'the header wins');
  assert.equal(fromHttp(undefined, null), undefined);
  assert.equal(fromHttp('Digest x', null), undefined);
  assert.equal(fromHttp(undefined, 'x'.repeat(5000)), undefined);
  const u = new URL('tcp://alice:pa%3Ass%2Fw%40rd@hub:8089/door');
  assert.deepEqual(fromUserinfo(u.username, u.password), { user: 'alice', secret: 'pa:ss/w@rd' });
  const t = new URL('tcp://tok@hub/door');
  assert.deepEqual(fromUserinfo(t.username, t.password), { user: '', secret: 'tok' });
});

test('can(): the synchronous check follows the same rules', async () => {
  const creds = parseCredentials(await credentialsJson([{ name: 'cam', secret: 's', allow: ['publish:door*', 'view:door'] }]));
  const auth = await createAuthenticator({ credentials: creds, token: 't' });
  assert.equal(auth.can('cam', 'publish', 'door/back'), true);
  assert.equal(auth.can('cam', 'view', 'door2'), false);
  assert.equal(auth.can('cam', 'api'), false);
  assert.equal(auth.can('', 'record', 'x'), true, 'the --token credential has every right');
  assert.equal(auth.can('nobody', 'view', 'door'), false);
});
