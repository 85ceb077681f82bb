import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.js';
import { DEFAULT_PORTS, hostForUrl, parseStreamUrl } from '../../src/config/url.js';
import { isCamwireError } from '../../src/util/errors.js';

test('stream URLs parse host, port, name and ?listen, including IPv6', () => {
  const cases: [string, object][] = [
    ['tcp://127.0.0.1:8089/lab', { host: '127.0.0.1', port: 8089, stream: 'lab', listen: false }],
    ['tcp://hub/site/door', { host: 'hub', port: DEFAULTS.tcpPort, stream: 'site/door', listen: false }],
    ['tcp://0.0.0.0:9000?listen', { host: '0.0.0.0', port: 9000, stream: '', listen: true }],
    ['tcp://[::1]:8089/x', { host: '::1', port: 8089, stream: 'x', listen: false }],
    ['tcp://hub:1/a%20b/', { host: 'hub', port: 1, stream: 'a b', listen: false }],
  ];
  for (const [text, want] of cases) {
    const u = parseStreamUrl(text);
    assert.deepEqual({ host: u.host, port: u.port, stream: u.stream, listen: u.listen }, want, text);
  }
});

test('a URL without a port takes the tcpPort / udpPort default', () => {
  assert.deepEqual(DEFAULT_PORTS, { tcp: DEFAULTS.tcpPort, udp: DEFAULTS.udpPort });
  assert.equal(parseStreamUrl('udp://hub/x', ['udp']).port, DEFAULTS.udpPort);
});

test('bad URLs are one CAMWIRE_ERR_BAD_URL with an example', () => {
  const cases: [string, RegExp][] = [
    ['nonsense', /is not a URL; expected e.g. tcp:\/\//],
    ['udp://x:1/y', /unsupported scheme "udp" \(use tcp:\/\/\)/],
    ['tcp://:8089/x', /is not a URL|has no host/],
  ];
  for (const [bad, re] of cases) assert.throws(() => parseStreamUrl(bad), (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_URL') && re.test((e as Error).message), bad);
});

test('a password in the URL never reaches the text used in messages', () => {
  const u = parseStreamUrl('tcp://user:secret@hub:1/x');
  assert.ok(!u.text.includes('secret'), u.text);
});

test('hostForUrl brackets IPv6 literals only', () => {
  assert.equal(hostForUrl('::1'), '[::1]');
  assert.equal(hostForUrl('10.0.0.1'), '10.0.0.1');
  assert.equal(hostForUrl('hub'), 'hub');
});
