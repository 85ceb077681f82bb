import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub } from '../../../src/api/hub-server.js';
import { parseLogin, MAX_LOGIN_BYTES } from '../../../src/transports/http/login.js';

test('a login body is {"user","secret"} or {"token"}; anything else is a 400 saying so', () => {
  assert.deepEqual(parseLogin('{"user":"alice","secret":"pw"}'), { user: 'alice', secret: 'pw' });
  assert.deepEqual(parseLogin('{"token":"alice:pw"}'), { user: 'alice', secret: 'pw' });
  assert.deepEqual(parseLogin('{"token":"tok"}'), { user: '', secret: 'tok' });
  for (const bad of ['', 'null', '[]', '{"user":"a"}', '{"user":"a","secret":""}', '{"token":""}', '{"token":"t","user":"a","secret":"b"}', '{"user":1,"secret":"x"}', `{"user":"${'a'.repeat(65)}","secret":"x"}`]) {
    assert.throws(() => parseLogin(bad), /log in with a JSON body/, bad);
  }
});

test('/api/session on a hub without auth: nothing to log in to, everyone may view, bodies bounded', async () => {
  const server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1' });
  try {
    const base = `http://127.0.0.1:${server.http!.port}/api/session`;
    assert.deepEqual(await (await fetch(base)).json(), { auth: false, user: null, view: true });
    const post = (body: string) => fetch(base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.equal((await post('{"token":"x"}')).status, 400);
    assert.equal((await post(`{"token":"${'x'.repeat(MAX_LOGIN_BYTES)}"}`)).status, 400);
    assert.equal((await fetch(base, { method: 'PUT' })).status, 405);
  } finally {
    await server.close();
  }
});
