import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginSessions, MAX_SESSIONS, SESSION_TTL_MS } from '../../../src/transports/http/sessions.js';

test('login sessions: random ids, found only by their own cookie name, expire when unused, bounded', () => {
  const s = new LoginSessions('camwire-session-8080');
  const p = { user: 'alice', secret: 'x' };
  const id = s.create(p, 0);
  assert.match(id, /^[\w-]{43}$/);
  assert.notEqual(s.create(p, 0), id);
  assert.equal(s.get(`camwire-session-8080=${id}`, 1)?.presented, p);
  assert.equal(s.get(`camwire-session-9090=${id}`, 1), undefined, 'another port\'s cookie');
  assert.equal(s.get(`camwire-session-8080=${id.slice(1)}x`, 1), undefined);
  assert.equal(s.get(`camwire-session-8080=${id}`, 1 + SESSION_TTL_MS + 1), undefined, 'unused for longer than the TTL');
  const id2 = s.create(p, 0);
  s.end(`a=b; camwire-session-8080=${id2}`);
  assert.equal(s.get(`camwire-session-8080=${id2}`, 1), undefined, 'logged out');
  const many = new LoginSessions('c');
  const first = many.create(p);
  for (let i = 0; i < MAX_SESSIONS; i++) many.create(p);
  assert.equal(many.size, MAX_SESSIONS);
  assert.equal(many.get(`c=${first}`), undefined, 'the oldest went first');
  assert.equal(s.setCookie(id, true), `camwire-session-8080=${id}; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=${SESSION_TTL_MS / 1000}`);
  assert.match(s.clearCookie(false), /^camwire-session-8080=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
});
