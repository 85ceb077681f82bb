import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../../src/config/defaults.js';
import { authenticatorFromConfig, clientCredential, resolveToken, urlCredential } from '../../src/auth/index.js';
import { loadedConfigFrom } from '../../src/cli/args.js';
import { writeCredentials } from '../helpers/auth.js';

function tokenFile(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'camwire-tok-')), 'token');
  writeFileSync(f, text, { mode: 0o600 });
  return f;
}

test('the credential comes from URL userinfo, then the token or its file; never required on the command line', () => {
  const f = tokenFile('alice:s3cr/et@x\nignored second line\n');
  assert.equal(resolveToken({ token: '', tokenFile: f }), 'alice:s3cr/et@x');
  assert.deepEqual(clientCredential({ token: '', tokenFile: f }), { user: 'alice', secret: 's3cr/et@x' });
  assert.deepEqual(clientCredential({ token: 'bare', tokenFile: '' }), { user: '', secret: 'bare' });
  const u = new URL('tcp://bob:p%40ss@hub/door');
  assert.deepEqual(clientCredential({ token: 'bare', tokenFile: '' }, u), { user: 'bob', secret: 'p@ss' });
  assert.equal(clientCredential({ token: '', tokenFile: '' }), undefined);
  assert.throws(() => resolveToken({ token: '', tokenFile: '/nonexistent/tok' }), /tokenFile: cannot read \/nonexistent\/tok: ENOENT/);
  assert.throws(() => resolveToken({ token: '', tokenFile: tokenFile('\n') }), /is empty; put the token on its first line/);
});

test('--token-file and CAMWIRE_TOKEN reach the config as the token', () => {
  const f = tokenFile('from-file\n');
  assert.equal(loadedConfigFrom({ 'token-file': f }).config.token, 'from-file');
  const saved = process.env.CAMWIRE_TOKEN;
  process.env.CAMWIRE_TOKEN = 'from-env';
  try {
    assert.equal(loadedConfigFrom({}).config.token, 'from-env');
  } finally {
    if (saved === undefined) delete process.env.CAMWIRE_TOKEN;
    else process.env.CAMWIRE_TOKEN = saved;
  }
});

test('authenticatorFromConfig reads the auth file, the token and allowPublish, and refuses a bad callback URL', async () => {
  const authFile = await writeCredentials([{ name: 'cam', secret: 's', allow: ['publish:door'] }]);
  const a = await authenticatorFromConfig({ ...DEFAULTS, authFile, token: 'admin', allowPublish: '10.0.0.0/8' });
  assert.equal(a.enabled, true);
  assert.equal(a.can('cam', 'publish', 'door'), true);
  assert.equal(a.can('', 'record', 'x'), true);
  assert.equal(a.can(undefined, 'publish', 'x', '10.1.1.1'), true);
  assert.equal((await authenticatorFromConfig({ ...DEFAULTS })).enabled, false);
  await assert.rejects(authenticatorFromConfig({ ...DEFAULTS, authHttpUrl: 'file:///etc/passwd' }), /authHttpUrl "file:\/\/\/etc\/passwd" must be an http/);
  await assert.rejects(authenticatorFromConfig({ ...DEFAULTS, allowPublish: 'lan' }), /allowPublish: "lan" is not an address or CIDR/);
});

test('urlCredential reads userinfo with any characters as a token string', () => {
  assert.equal(urlCredential('tcp://alice:p%40ss%2Fw%3Ard@hub:8089/door'), 'alice:p@ss/w:rd');
  assert.equal(urlCredential('udp://s3cret@127.0.0.1:9000/door'), 's3cret');
  assert.equal(urlCredential('tcp://127.0.0.1:8089/door'), undefined);
  assert.equal(urlCredential('udp://@127.0.0.1:9000'), undefined, 'the bind syntax is no credential');
  assert.equal(urlCredential('not a url'), undefined);
});
