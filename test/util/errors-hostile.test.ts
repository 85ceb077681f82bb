import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CamwireError, createError, ERROR_CODES, isErrorCode, MAX_MESSAGE_CHARS, ProtocolError, remoteError, type ErrorCode } from '../../src/util/errors.js';
import { challengeFromWire } from '../../src/auth/index.js';
import { HOSTILE_CODES, HOSTILE_CONTROL, HOSTILE_MESSAGES, label } from '../helpers/hostile.js';

test('isErrorCode accepts only the registry\'s own keys, never inherited names', () => {
  for (const code of Object.keys(ERROR_CODES)) assert.equal(isErrorCode(code), true, code);
  for (const code of HOSTILE_CODES) assert.equal(isErrorCode(code), false, label(code));
});

test('createError never throws: unknown codes become CAMWIRE_ERR_REMOTE, any message is stringified', () => {
  for (const code of HOSTILE_CODES) {
    for (const message of HOSTILE_MESSAGES) {
      let e: CamwireError | undefined;
      assert.doesNotThrow(() => (e = createError(code as ErrorCode, message as string)), `${label(code)} / ${label(message)}`);
      assert.ok(e instanceof ProtocolError);
      assert.equal(e.code, 'CAMWIRE_ERR_REMOTE');
      assert.ok(e.message.length <= 64 + 2 + MAX_MESSAGE_CHARS + 10, 'a hostile message is cut, not logged whole');
    }
  }
  // Known codes keep their class and full message.
  const e = createError('CAMWIRE_ERR_FRAME_TOO_LARGE', 'too big');
  assert.equal(e.code, 'CAMWIRE_ERR_FRAME_TOO_LARGE');
  assert.equal(e.message, 'too big');
  assert.equal(e.name, 'LimitError');
});

test('remoteError decodes any (code, message) pair off the wire into a typed error, cut to size', () => {
  for (const code of [...HOSTILE_CODES, 'CAMWIRE_ERR_STREAM_BUSY']) {
    for (const message of HOSTILE_MESSAGES) {
      let e: CamwireError | undefined;
      assert.doesNotThrow(() => (e = remoteError(code, message)));
      assert.ok(e instanceof CamwireError);
      assert.ok(isErrorCode(e.code));
      assert.ok(e.message.length <= 64 + 2 + MAX_MESSAGE_CHARS, `message cut (${e.message.length})`);
    }
  }
  assert.equal(remoteError('CAMWIRE_ERR_STREAM_BUSY', 'taken').code, 'CAMWIRE_ERR_STREAM_BUSY');
  assert.equal(remoteError('constructor', 'x').code, 'CAMWIRE_ERR_REMOTE');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'nothing polluted Object.prototype');
});

test('the auth challenge decoder refuses every hostile control message with a typed error', () => {
  for (const m of HOSTILE_CONTROL) {
    assert.throws(() => challengeFromWire(m, 'cam'), (e) => e instanceof CamwireError && e.code === 'CAMWIRE_ERR_MALFORMED_MESSAGE', label(m));
  }
});
