import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../../src/config/defaults.js';
import { loadConfig, loadConfigWithOrigins } from '../../src/config/load.js';
import { isCamwireError } from '../../src/util/errors.js';

function tempFile(t: { after(fn: () => void): void }, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'c.json');
  writeFileSync(file, content);
  return file;
}

test('layers override in order: defaults < file < environment < flags, and each value knows its origin', (t) => {
  const file = tempFile(t, JSON.stringify({ tcpPort: 1000, httpPort: 1001, keepaliveMs: 1002 }));
  const { config: c, origins } = loadConfigWithOrigins({ file, env: { CAMWIRE_HTTP_PORT: '2001', CAMWIRE_KEEPALIVE_MS: '2002' }, flags: { keepaliveMs: '3002', udpPort: undefined } });
  assert.equal(c.tcpPort, 1000);
  assert.equal(c.httpPort, 2001);
  assert.equal(c.keepaliveMs, 3002);
  assert.equal(c.timeoutMs, DEFAULTS.timeoutMs);
  assert.deepEqual(origins.tcpPort, { from: 'file', path: file });
  assert.deepEqual(origins.httpPort, { from: 'env', name: 'CAMWIRE_HTTP_PORT' });
  assert.deepEqual(origins.keepaliveMs, { from: 'flag' });
  assert.deepEqual(origins.udpPort, { from: 'default' }, 'a flag given as undefined (not on the command line) is no origin');
});

test('with no layers the config is exactly DEFAULTS', () => {
  assert.deepEqual(loadConfig({ env: {} }), { ...DEFAULTS });
});

test('invalid values name the key, where they came from and the real flag', (t) => {
  const file = tempFile(t, JSON.stringify({ udpMtu: 9 }));
  const cases: [Parameters<typeof loadConfig>[0], RegExp][] = [
    [{ flags: { tcpPort: '70000' } }, /^--tcp "70000" must be a port 0–65535 \(config key tcpPort\)$/],
    [{ flags: { udpPort: '-1' } }, /^--udp "-1" must be a port 0–65535 \(config key udpPort\)$/],
    [{ flags: { udpFecCode: 'ldpc' } }, /^--fec-code "ldpc" must be rs or xor \(config key udpFecCode\)$/],
    [{ flags: { keepaliveMs: 0 } }, /^keepaliveMs must be a positive integer, got "0" \(option\)$/],
    [{ env: { CAMWIRE_TIMEOUT_MS: 'soon' } }, /^CAMWIRE_TIMEOUT_MS="soon" must be a positive integer \(config key timeoutMs, from the environment\)$/],
    [{ file }, new RegExp(`^udpMtu must be an integer 576–65535, the path MTU in bytes, got "9" \\(in config file ${file.replace(/[.\\]/g, '\\$&')}\\)$`)],
    [{ flags: { maxFrameBytes: -1 } }, /^--max-frame-bytes "-1" must be a positive integer/],
    [{ flags: { udpTtl: 256 } }, /^--ttl "256" must be an integer 0–255, multicast hops/],
    [{ flags: { udpPacePercent: 101 } }, /udpPacePercent must be an integer 0–100/],
    [{ flags: { host: 5 } }, /^--host "5" must be a string/],
    [{ flags: { nosuch: 1 } as never }, /unknown config key "nosuch" in flag/],
    [{ file: '/nonexistent/camwire.json' }, /cannot read config file \/nonexistent\/camwire\.json: ENOENT/],
  ];
  for (const [opts, re] of cases) {
    assert.throws(() => loadConfig({ env: {}, ...opts }), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && re.test((e as Error).message), String(re));
  }
});

test('cross-key rules see the merged layers and name each key with its origin', (t) => {
  const file = tempFile(t, JSON.stringify({ tlsCert: 'cert.pem' }));
  assert.throws(
    () => loadConfig({ env: {}, file }),
    (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /HTTPS needs both --tls-cert FILE and --tls-key FILE .*tlsCert: config file .*c\.json, tlsKey: default/.test((e as Error).message),
  );
  // The key from the environment completes the pair from the file.
  const c = loadConfig({ file, env: { CAMWIRE_TLS_KEY: 'key.pem' } });
  assert.deepEqual([c.tlsCert, c.tlsKey], ['cert.pem', 'key.pem']);
  assert.throws(
    () => loadConfig({ env: { CAMWIRE_RECONNECT_INITIAL_MS: '9000' } }),
    (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /reconnectInitialMs \(9000\) must not exceed reconnectMaxMs \(5000\) \(reconnectInitialMs: environment CAMWIRE_RECONNECT_INITIAL_MS, reconnectMaxMs: default\)/.test((e as Error).message),
  );
});

test('a config file that is not a JSON object is refused with its name', (t) => {
  for (const [content, re] of [['{', /is not valid JSON/], ['[1]', /must hold a JSON object/], ['null', /must hold a JSON object/]] as const) {
    const file = tempFile(t, content);
    assert.throws(() => loadConfig({ env: {}, file }), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && re.test((e as Error).message) && (e as Error).message.includes(file));
  }
});
