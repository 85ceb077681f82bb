/**
 * hostile: error codes and control-message fields a hostile peer might send, shared by every
 * client's tests (TCP, UDP, WebSocket) and by the errors test. Each must end in a typed error
 * or a dropped message — never a throw from a socket handler, never a crash, never megabytes
 * logged.
 */

/** HOSTILE_CODES: ERROR codes that are not in the registry, many of them names every object inherits. */
export const HOSTILE_CODES: readonly unknown[] = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  'prototype',
  'CAMWIRE_ERR_',
  'CAMWIRE_ERR_NOT_A_CODE',
  'camwire_err_remote',
  '',
  ' CAMWIRE_ERR_REMOTE',
  'CAMWIRE_ERR_REMOTE\u0000',
  'X'.repeat(1_000_000),
  '\u202e\u0007\u001b[2J',
  0,
  -1,
  1e308,
  NaN,
  true,
  null,
  undefined,
  [],
  ['CAMWIRE_ERR_REMOTE'],
  {},
  { toString: 'boom' },
  JSON.parse('{"__proto__": {"polluted": true}}'),
];

/** HOSTILE_MESSAGES: ERROR message texts: huge, control characters, not strings at all. */
export const HOSTILE_MESSAGES: readonly unknown[] = [
  'M'.repeat(1_000_000),
  '\u0000\u001b[31mred\u001b[0m\r\nInjected: log line',
  '',
  undefined,
  null,
  12,
  { toString: () => { throw new Error('toString ran'); } },
  [1, 2, 3],
  JSON.parse('{"constructor": {"prototype": {"x": 1}}}'),
];

/**
 * HOSTILE_CONTROL: whole control messages (as parsed JSON) a hostile peer might send in place
 * of a HELLO, CHALLENGE, PROOF or ERROR; decoders must refuse each with a typed error.
 */
export const HOSTILE_CONTROL: readonly unknown[] = [
  null,
  [],
  'HELLO',
  42,
  {},
  { type: 'constructor' },
  { type: '__proto__' },
  { type: 'error', code: 'constructor', message: 'x' },
  { type: 'error', code: '__proto__' },
  { type: 'error', code: 'toString', message: 'M'.repeat(100_000) },
  JSON.parse('{"type": "hello", "__proto__": {"role": "publish"}}'),
  { type: 'hello', role: 'constructor', stream: 'x' },
  { type: 'hello', role: 'view', stream: { length: 1e9 } },
  { type: 'hello', role: 'view', stream: 'x'.repeat(1_000_000) },
  { type: 'challenge', salt: 'A'.repeat(1_000_000), n: 2 ** 40, r: 1e9, p: 1e9, nonce: null },
  { type: 'proof', proof: 'A'.repeat(1_000_000) },
];

/** label names a hostile value for an assertion message without running any of its code. */
export function label(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 30)) + (v.length > 30 ? `…(${v.length})` : '');
  if (typeof v !== 'object' || v === null) return String(v);
  return Object.prototype.toString.call(v) + ' ' + Object.keys(v).join(',').slice(0, 40);
}
