import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision } from '../../../src/auth/index.js';
import { RIGHTS_TTL_MS, StreamRights } from '../../../src/transports/ws/rights.js';

test('stream rights: asked once per name (also when asked twice at once), kept for RIGHTS_TTL_MS, everything without a checker', async () => {
  const asked: string[] = [];
  const r = new StreamRights(async (s): Promise<Decision> => {
    asked.push(s);
    return s.startsWith('door') ? { ok: true, user: 'a' } : { ok: false, code: 'CAMWIRE_ERR_FORBIDDEN', message: `no ${s}` };
  });
  assert.equal(r.get('door1'), undefined);
  await Promise.all([r.request(['door1', 'yard']), r.request(['door1'])]);
  assert.deepEqual(asked, ['door1', 'yard']);
  assert.equal(r.allows('door1'), true);
  assert.equal(r.allows('yard'), false);
  assert.deepEqual(r.get('yard'), { ok: false, code: 'CAMWIRE_ERR_FORBIDDEN', message: 'no yard' });
  assert.equal(r.get('door1', Date.now() + RIGHTS_TTL_MS + 1), undefined, 'asked again after the TTL');
  const failing = new StreamRights(() => Promise.reject(new Error('callback down')));
  await failing.request(['x']);
  assert.equal(failing.allows('x'), false, 'a failing check refuses');
  assert.equal(new StreamRights().allows('anything'), true);
});
