import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { describeNetError } from '../../src/util/neterr.js';
import { freePort } from '../../support/net.js';

test('a real refused connection reads "connection refused"', async () => {
  const port = await freePort();
  const err = await new Promise<Error>((resolve) => connect(port, '127.0.0.1').on('error', resolve));
  assert.equal(describeNetError(err), 'connection refused');
});

test('a real taken port reads "address already in use"', async () => {
  const a = createServer();
  await new Promise<void>((r) => a.listen(0, '127.0.0.1', r));
  const port = (a.address() as { port: number }).port;
  const b = createServer();
  const err = await new Promise<Error>((resolve) => b.on('error', resolve).listen(port, '127.0.0.1'));
  a.close();
  assert.equal(describeNetError(err), 'address already in use');
});

test('unknown codes are shown as the code, errors without one as their message, anything else as text', () => {
  assert.equal(describeNetError(Object.assign(new Error('x'), { code: 'EWHATEVER' })), 'EWHATEVER');
  assert.equal(describeNetError(new Error('plain')), 'plain');
  assert.equal(describeNetError('text'), 'text');
  assert.equal(describeNetError(undefined), 'undefined');
});
