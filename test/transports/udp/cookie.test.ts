import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar, COOKIE_EPOCH_MS } from '../../../src/transports/udp/cookie.js';

describe('cookies', () => {
  it('accept a cookie from the same peer in this epoch and the previous one, and nothing else', () => {
    const jar = new CookieJar();
    const t = 10 * COOKIE_EPOCH_MS + 5;
    const c = jar.issue('127.0.0.1:5000', t);
    assert.ok(jar.valid('127.0.0.1:5000', c, t));
    assert.ok(jar.valid('127.0.0.1:5000', c, t + COOKIE_EPOCH_MS));
    assert.ok(!jar.valid('127.0.0.1:5000', c, t + 2 * COOKIE_EPOCH_MS), 'expired');
    assert.ok(!jar.valid('127.0.0.1:5001', c, t), 'another port');
    assert.ok(!jar.valid('127.0.0.1:5000', undefined, t));
    assert.ok(!new CookieJar().valid('127.0.0.1:5000', c, t), 'another hub (restarted)');
  });
});
