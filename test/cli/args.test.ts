import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFrom, hubConfigFlags, loadedConfigFrom, parse, parseNumber, parseSize } from '../../src/cli/args.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { isCamwireError } from '../../src/util/errors.js';

const configError = (re: RegExp) => (e: unknown) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && re.test((e as Error).message);

test('parse takes the common flags and the command\'s own; an unknown flag points at --help', () => {
  const p = parse('serve', ['--tcp', '9000', '--token', 's', 'x'], { tcp: { type: 'string' } });
  assert.equal(p.values.tcp, '9000');
  assert.equal(p.values.token, 's');
  assert.deepEqual(p.positionals, ['x']);
  assert.throws(() => parse('serve', ['--nope'], {}), configError(/Unknown option '--nope'.*\(see "camwire serve --help"\)$/));
});

test('hub flags become config keys, and their errors name the flag typed', () => {
  const { values } = parse('serve', ['--tcp', '9000', '--http', '0', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], { tcp: { type: 'string' }, http: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' } });
  const { config, origins } = loadedConfigFrom(values, hubConfigFlags(values));
  assert.deepEqual([config.tcpPort, config.httpPort, config.tlsCert, config.tlsKey], [9000, 0, 'c.pem', 'k.pem']);
  assert.deepEqual(origins.tcpPort, { from: 'flag' });
  assert.deepEqual(origins.udpPort, { from: 'default' });
  assert.throws(() => configFrom({ 'max-frame-bytes': '0' }), configError(/^--max-frame-bytes "0" must be a positive integer \(config key maxFrameBytes\)$/));
  assert.equal(configFrom({}).tcpPort, DEFAULTS.tcpPort);
});

test('parseSize and parseNumber refuse what they cannot read, naming the flag', () => {
  assert.deepEqual(parseSize('1280x720'), { width: 1280, height: 720 });
  assert.throws(() => parseSize('1280*720'), configError(/--size "1280\*720" must look like 1280x720/));
  assert.equal(parseNumber('2.5', '--seconds', 0), 2.5);
  assert.equal(parseNumber(undefined, '--seconds', 7), 7);
  assert.throws(() => parseNumber('-1', '--fps', 0, 1), configError(/--fps "-1" must be a number ≥ 1/));
  assert.throws(() => parseNumber(true, '--fps', 0), configError(/--fps/));
});
