import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AllowedHosts, hostOnly } from '../../../src/transports/http/allowed-hosts.js';

describe('allowed-hosts', () => {
  const hosts = new AllowedHosts(' cams.example.net, *.lan ,', 'Robot.corp.example');

  const CASES: [string | undefined, boolean][] = [
    ['127.0.0.1:8080', true],
    ['192.168.1.20', true],
    ['[::1]:8080', true],
    ['[fe80::1]', true],
    ['localhost:8080', true],
    ['LOCALHOST', true],
    ['app.localhost', true],
    ['robot.corp.example:8080', true],
    ['robot', true],
    ['robot.local', true],
    ['cams.example.net.', true],
    ['yard.lan:8080', true],
    [undefined, true],
    ['attacker.example', false],
    ['attacker.example:8080', false],
    ['lan', false],
    ['evil-robot', false],
    ['robot.attacker.example', false],
    ['localhost.attacker.example', false],
    ['127.0.0.1.nip.io', false],
    ['', false],
    ['a b', false],
    ['[::1', false],
    ['x:99999999', false],
  ];
  for (const [host, ok] of CASES) {
    it(`${ok ? 'allows' : 'refuses'} Host ${JSON.stringify(host)}`, () => assert.equal(hosts.allows(host), ok));
  }

  it('strips ports and brackets and lists the names for error messages', () => {
    assert.equal(hostOnly('[::1]:80'), '::1');
    assert.equal(hostOnly('Example.COM.:8080'), 'example.com');
    assert.equal(hosts.list(), 'robot.corp.example, robot, robot.local, cams.example.net, *.lan');
  });
});
