import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSameOrigin } from '../../../src/transports/http/origin.js';

test('a viewer socket is allowed from the hub\'s own page or from programs that send no Origin', () => {
  const cases: [string | undefined, string | undefined, boolean][] = [
    [undefined, '127.0.0.1:8080', true],
    ['http://127.0.0.1:8080', '127.0.0.1:8080', true],
    ['https://Hub.Local:8443', 'hub.local:8443', true],
    ['http://[::1]:8080', '[::1]:8080', true],
    ['http://evil.example', '127.0.0.1:8080', false],
    ['http://127.0.0.1:9999', '127.0.0.1:8080', false],
    ['null', '127.0.0.1:8080', false],
    ['file://', '127.0.0.1:8080', false],
    ['http://127.0.0.1:8080', undefined, false],
    ['not a url', '127.0.0.1:8080', false],
  ];
  for (const [origin, host, ok] of cases) assert.equal(isSameOrigin(origin, host), ok, `${origin} → ${host}`);
});
