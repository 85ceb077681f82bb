import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../../src/config/defaults.js';
import { envName, loadConfig } from '../../src/config/load.js';
import { parseStreamUrl } from '../../src/config/url.js';
import { isCamwireError } from '../../src/util/errors.js';

test('layers override in order: defaults < file < environment < flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-cfg-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ tcpPort: 1000, httpPort: 1001, keepaliveMs: 1002 }));
  const c = loadConfig({ file, env: { CAMWIRE_HTTP_PORT: '2001', CAMWIRE_KEEPALIVE_MS: '2002' }, flags: { keepaliveMs: '3002' } });
  assert.equal(c.tcpPort, 1000);
  assert.equal(c.httpPort, 2001);
  assert.equal(c.keepaliveMs, 3002);
  assert.equal(c.timeoutMs, DEFAULTS.timeoutMs);
});

test('invalid values and unknown keys are refused with an error naming the key and its origin', () => {
  const cases: [Parameters<typeof loadConfig>[0], RegExp][] = [
    [{ flags: { tcpPort: '70000' } }, /tcpPort \(--tcpPort\) must be a port/],
    [{ env: { CAMWIRE_TIMEOUT_MS: 'soon' } }, /timeoutMs \(environment CAMWIRE_TIMEOUT_MS\) must be an integer/],
    [{ flags: { maxFrameBytes: -1 } }, /maxFrameBytes .* must be positive/],
    [{ flags: { nosuch: 1 } as never }, /unknown config key "nosuch"/],
    [{ file: '/nonexistent/camwire.json' }, /cannot read config file/],
  ];
  for (const [opts, re] of cases) {
    assert.throws(() => loadConfig({ env: {}, ...opts }), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && re.test((e as Error).message));
  }
});

test('environment names are CAMWIRE_ plus the key in upper snake case', () => {
  assert.equal(envName('maxFrameBytes'), 'CAMWIRE_MAX_FRAME_BYTES');
});

test('the sample config in docs/config.md equals DEFAULTS, so the docs cannot drift', () => {
  const md = readFileSync(fileURLToPath(new URL('../../../docs/config.md', import.meta.url)), 'utf8');
  const sample = /```json\n([\s\S]*?)```/.exec(md);
  assert.ok(sample, 'docs/config.md has a ```json sample');
  assert.deepEqual(JSON.parse(sample[1]), { ...DEFAULTS });
  for (const key of Object.keys(DEFAULTS)) assert.match(md, new RegExp(`\\| \`${key}\` \\|`), `docs/config.md documents ${key}`);
});

test('stream URLs parse host, port, name and ?listen, including IPv6', () => {
  const cases: [string, object][] = [
    ['tcp://127.0.0.1:8089/lab', { host: '127.0.0.1', port: 8089, stream: 'lab', listen: false }],
    ['tcp://hub/site/door', { host: 'hub', port: 8089, stream: 'site/door', listen: false }],
    ['tcp://0.0.0.0:9000?listen', { host: '0.0.0.0', port: 9000, stream: '', listen: true }],
    ['tcp://[::1]:8089/x', { host: '::1', port: 8089, stream: 'x', listen: false }],
  ];
  for (const [text, want] of cases) {
    const u = parseStreamUrl(text);
    assert.deepEqual({ host: u.host, port: u.port, stream: u.stream, listen: u.listen }, want, text);
  }
  for (const bad of ['nonsense', 'udp://x:1/y', 'tcp://:8089/x']) {
    assert.throws(() => parseStreamUrl(bad), (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_URL'), bad);
  }
});
