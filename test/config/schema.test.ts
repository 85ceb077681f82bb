import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.js';
import { checkValue, CONFIG_KEYS, envName, SCHEMA, validateConfig } from '../../src/config/schema.js';
import { isCamwireError } from '../../src/util/errors.js';

const configError = (re: RegExp) => (e: unknown) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && re.test((e as Error).message);

test('every Config key has a rule, and every default passes its own rule', () => {
  assert.deepEqual([...CONFIG_KEYS].sort(), Object.keys(DEFAULTS).sort());
  for (const k of CONFIG_KEYS) assert.equal(checkValue(k, DEFAULTS[k], { from: 'default' }), DEFAULTS[k], k);
});

test('flags named in the schema are real flags of the CLI', async () => {
  const { HUB_OPTIONS, COMMON_OPTIONS } = await import('../../src/cli/args.js');
  const { UDP_OPTIONS } = await import('../../src/cli/udp-options.js');
  const { EVENT_OPTIONS } = await import('../../src/cli/event-options.js');
  const { RECORD_OPTIONS } = await import('../../src/cli/record-options.js');
  const { PUSH_OPTIONS } = await import('../../src/cli/push-options.js');
  const known = new Set([...Object.keys(HUB_OPTIONS), ...Object.keys(COMMON_OPTIONS), ...Object.keys(UDP_OPTIONS), ...Object.keys(EVENT_OPTIONS), ...Object.keys(RECORD_OPTIONS), ...Object.keys(PUSH_OPTIONS), 'host', 'udp']);
  for (const k of CONFIG_KEYS) {
    const flag = SCHEMA[k].flag;
    if (flag) assert.ok(known.has(flag.replace(/^--/, '')), `${k}: ${flag} is a flag some command takes`);
  }
});

test('numbers: strings of digits are coerced, the range ends are inclusive, one past is refused', () => {
  assert.equal(checkValue('tcpPort', '65535', { from: 'flag' }), 65535);
  assert.equal(checkValue('tcpPort', 0, { from: 'option' }), 0);
  assert.equal(checkValue('udpMtu', 576, { from: 'option' }), 576);
  assert.throws(() => checkValue('udpMtu', 575, { from: 'option' }), configError(/udpMtu must be an integer 576–65535/));
  assert.throws(() => checkValue('udpFecPercent', 1.5, { from: 'option' }), configError(/udpFecPercent must be an integer 0–100/));
  assert.throws(() => checkValue('timeoutMs', ' ', { from: 'option' }), configError(/timeoutMs must be a positive integer, got " "/));
  assert.equal(checkValue('udpFecPercent', 0, { from: 'option' }), 0);
});

test('validateConfig checks only the keys asked for, ignores undefined, and applies cross rules among them', () => {
  assert.deepEqual(validateConfig({ udpMtu: 1400, tcpPort: undefined }), { udpMtu: 1400 });
  assert.deepEqual(validateConfig({ tlsCert: 'c.pem', udpMtu: 1400 }, ['udpMtu']), { udpMtu: 1400 }, 'tlsCert is not checked when not asked for');
  assert.throws(() => validateConfig({ udpTtl: -1 }), configError(/^udpTtl must be an integer 0–255, multicast hops, got "-1" \(option\)$/));
  assert.throws(() => validateConfig({ tlsKey: 'k.pem' }), configError(/HTTPS needs both --tls-cert FILE and --tls-key FILE \(PEM\), or neither for plain HTTP \(tlsCert: default, tlsKey: option\)/));
  assert.throws(() => validateConfig({ reconnectInitialMs: 10, reconnectMaxMs: 5 }), configError(/reconnectInitialMs \(10\) must not exceed reconnectMaxMs \(5\)/));
  assert.deepEqual(validateConfig({ tlsCert: '', tlsKey: '' }), { tlsCert: '', tlsKey: '' });
});

test('environment names are CAMWIRE_ plus the key in upper snake case', () => {
  assert.equal(envName('maxFrameBytes'), 'CAMWIRE_MAX_FRAME_BYTES');
  assert.equal(envName('udpPort'), 'CAMWIRE_UDP_PORT');
});
