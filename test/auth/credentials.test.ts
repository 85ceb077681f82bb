import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCredentials, parseCredentials, parseRule } from '../../src/auth/index.js';
import { allows } from '../../src/auth/actions.js';
import { isCamwireError } from '../../src/util/errors.js';
import { credentialsJson, writeCredentials } from '../helpers/auth.js';

test('stream patterns: * is any run of characters, everything else literal', () => {
  const cases: [string, string, boolean][] = [
    ['view:*', 'anything/at/all', true],
    ['view:door*', 'door', true],
    ['view:door*', 'door2', true],
    ['view:door*', 'door/back', true],
    ['view:door*', 'frontdoor', false],
    ['view:door', 'door2', false],
    ['view:*door', 'frontdoor', true],
    ['view:site/*/cam', 'site/a/cam', true],
    ['view:site/*/cam', 'site/a/cam2', false],
    ['view:a.b', 'aXb', false],
    ['view:a-b', 'a-b', true],
  ];
  for (const [rule, stream, want] of cases) assert.equal(allows([parseRule(rule, 't')], 'view', stream), want, `${rule} ~ ${stream}`);
  assert.equal(allows([parseRule('view:*', 't')], 'publish', 'x'), false, 'another action');
  assert.equal(allows([parseRule('api', 't')], 'api', undefined), true, 'a bare action covers every stream');
  assert.equal(allows([parseRule('view:door*', 't')], 'view', undefined), false, 'a request without a stream needs *');
});

test('auth file errors name the file and the key', async () => {
  const good = JSON.parse(await credentialsJson([{ name: 'cam', secret: 's', allow: ['view:*'] }]));
  const secret = good.users.cam.secret as string;
  const cases: [unknown, RegExp][] = [
    ['not json', /is not valid JSON/],
    [[], /must hold a JSON object/],
    [{ user: {} }, /unknown key "user" \(known: users, anonymous\)/],
    [{ users: [] }, /users must be an object/],
    [{ users: { cam: { allow: ['view:*'] } } }, /users\.cam\.secret: missing/],
    [{ users: { cam: { allow: ['view:*'], secret: 'hunter2' } } }, /users\.cam\.secret: must look like "scram-scrypt\$N/],
    [{ users: { cam: { allow: ['view:*'], secret: secret.replace(/\$1024\$/, '$1000$') } } }, /users\.cam\.secret: scrypt cost N=1000/],
    [{ users: { cam: { allow: ['view:*'], secret: secret.replace(/\$[^$]+$/, '$AAAA') } } }, /users\.cam\.secret: StoredKey and ServerKey must be 32 bytes/],
    [{ users: { cam: { allow: 'view:*', secret } } }, /users\.cam\.allow must be a list/],
    [{ users: { cam: { allow: ['view:*', 'pubish:door'], secret } } }, /users\.cam\.allow\[1\]: unknown action "pubish"/],
    [{ users: { cam: { allow: ['view:door?'], secret } } }, /users\.cam\.allow\[0\]: stream pattern "door\?"/],
    [{ users: { cam: { allow: [7], secret } } }, /users\.cam\.allow\[0\] must be a string/],
    [{ users: { cam: { allow: [], secret, password: 'x' } } }, /users\.cam: unknown key "password"/],
    [{ users: { 'a:b': { allow: [], secret } } }, /users\.a:b: a user name is up to 64/],
    [{ users: { cam: null } }, /users\.cam must be an object/],
    [{ anonymous: 'view:*' }, /anonymous must be a list/],
    [{ anonymous: ['fly:*'] }, /anonymous\[0\]: unknown action "fly"/],
  ];
  for (const [o, re] of cases) {
    const text = typeof o === 'string' ? o : JSON.stringify(o);
    assert.throws(() => parseCredentials(text, 'auth file x.json'), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /^auth file x\.json/.test((e as Error).message) && re.test((e as Error).message), text.slice(0, 80));
  }
});

test('JSON keys like __proto__ and constructor are plain user names, not object internals', () => {
  const c = parseCredentials('{"users": {"__proto__": {"allow": ["view:*"], "secret": "x"}}}'.replace('"x"', JSON.stringify('scram-scrypt$1024$8$1$' + 'AAAAAAAAAAAAAAAAAAAAAA==$' + Buffer.alloc(32).toString('base64') + '$' + Buffer.alloc(32).toString('base64'))));
  assert.equal(c.users.size, 1);
  assert.ok(c.users.has('__proto__'));
  assert.equal(parseCredentials('{"users": {}}').users.has('constructor'), false);
});

test('loadCredentials reads a file and says how to make one when it is missing', async () => {
  const file = await writeCredentials([{ name: 'cam', secret: 's', allow: ['publish:door'] }]);
  assert.equal(loadCredentials(file).users.get('cam')!.rules[0].pattern, 'door');
  assert.throws(() => loadCredentials('/nonexistent/auth.json'), /cannot read auth file \/nonexistent\/auth\.json: ENOENT \(make one with "camwire auth add NAME --file/);
});
