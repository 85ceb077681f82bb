import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CamwireError, ConfigError, createError, ERROR_CODES, isCamwireError, LimitError, MediaError, NetworkError, ProtocolError, type ErrorCode } from '../../src/util/errors.js';

test('every code builds an error of its category class, with the code and message kept', () => {
  const classes = { protocol: ProtocolError, limit: LimitError, network: NetworkError, config: ConfigError, media: MediaError };
  for (const [code, { kind, text }] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^CAMWIRE_ERR_[A-Z_]+$/);
    assert.ok(text.length > 10, `${code} says what it means`);
    const e = createError(code as ErrorCode, 'msg');
    assert.ok(e instanceof classes[kind as keyof typeof classes], code);
    assert.ok(e instanceof CamwireError && e instanceof Error);
    assert.equal(e.code, code);
    assert.equal(e.message, 'msg');
    assert.equal(e.name, classes[kind as keyof typeof classes].name);
  }
});

test('a limit error is also a protocol error: the peer that caused it is disconnected', () => {
  assert.ok(createError('CAMWIRE_ERR_FRAME_TOO_LARGE', 'x') instanceof ProtocolError);
});

test('the cause is kept for the log', () => {
  const cause = new Error('ECONNREFUSED');
  assert.equal(createError('CAMWIRE_ERR_CONNECT', 'x', { cause }).cause, cause);
});

test('isCamwireError tells camwire errors apart, optionally by code', () => {
  const e = createError('CAMWIRE_ERR_CONFIG', 'x');
  assert.ok(isCamwireError(e));
  assert.ok(isCamwireError(e, 'CAMWIRE_ERR_CONFIG'));
  assert.ok(!isCamwireError(e, 'CAMWIRE_ERR_BAD_URL'));
  assert.ok(!isCamwireError(new Error('x')));
  assert.ok(!isCamwireError(Object.assign(new Error('x'), { code: 'CAMWIRE_ERR_CONFIG' })), 'a look-alike is not one');
  assert.ok(!isCamwireError(undefined));
});
