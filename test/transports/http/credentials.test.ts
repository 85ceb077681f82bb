import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { InsecureAuthPolicy, requestCredential } from '../../../src/transports/http/credentials.js';
import { parseTarget } from '../../../src/transports/http/router.js';
import { LoginSessions } from '../../../src/transports/http/sessions.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

test('credentials come from the Authorization header, then the session cookie, then ?token= where allowed', () => {
  const sessions = new LoginSessions('camwire-session-1');
  const id = sessions.create({ user: 'bob', secret: 'b' });
  const snap = parseTarget('GET', '/streams/x.jpg?token=alice:a');
  const api = parseTarget('GET', '/api/streams?token=alice:a');
  assert.deepEqual(requestCredential(req({ authorization: 'Bearer eve:e' }), snap, sessions), { presented: { user: 'eve', secret: 'e' }, via: 'header' });
  assert.deepEqual(requestCredential(req({ cookie: `other=1; camwire-session-1=${id}` }), snap, sessions), { presented: { user: 'bob', secret: 'b' }, via: 'cookie' });
  assert.deepEqual(requestCredential(req({}), snap, sessions), { presented: { user: 'alice', secret: 'a' }, via: 'query' });
  assert.deepEqual(requestCredential(req({}), parseTarget('GET', '/api/streams'), sessions), {});
  assert.throws(() => requestCredential(req({}), api, sessions), /\?token= is read only by .*Authorization: Bearer/);
  assert.throws(() => requestCredential(req({ authorization: 'Digest x' }), snap, sessions), { code: 'CAMWIRE_ERR_UNAUTHORIZED' });
});

test('credentials over plain HTTP are refused from other machines unless listed, with one line naming --tls-cert', () => {
  const plain = new InsecureAuthPolicy(false, '192.168.7.0/24');
  for (const a of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1', '192.168.7.9', '::ffff:192.168.7.9']) assert.doesNotThrow(() => plain.check(a, 'header'), a);
  for (const via of ['header', 'query', 'login'] as const) {
    assert.throws(() => plain.check('192.168.1.5', via), (e: Error & { code?: string }) => e.code === 'CAMWIRE_ERR_INSECURE_AUTH' && /from 192\.168\.1\.5 refused.*--tls-cert.*--allow-insecure-auth/.test(e.message));
  }
  assert.doesNotThrow(() => plain.check('::ffff:192.168.1.5', 'cookie'), 'a cookie was issued under the same rule');
  assert.doesNotThrow(() => plain.check('192.168.1.5', undefined), 'no credential, nothing to leak');
  assert.doesNotThrow(() => new InsecureAuthPolicy(true, '').check('192.168.1.5', 'header'), 'HTTPS');
  assert.throws(() => new InsecureAuthPolicy(false, 'lan'), /allowInsecureAuth: "lan" is not an address or CIDR/);
});
