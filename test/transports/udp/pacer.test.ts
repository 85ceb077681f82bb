import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pacer, PACE_BURST_BYTES } from '../../../src/transports/udp/pacer.js';

describe('pacer', () => {
  it('allows a burst at once, then the rate: 200 Mbit/s is 25 000 bytes per millisecond', () => {
    const p = new Pacer(200);
    assert.equal(p.allowed(0), PACE_BURST_BYTES);
    assert.equal(p.allowed(1), PACE_BURST_BYTES + 25_000);
    assert.equal(p.allowed(-5), PACE_BURST_BYTES, 'a clock that steps back allows no more than the burst');
    assert.equal(new Pacer(1).allowed(8), PACE_BURST_BYTES + 1000);
  });

  it('0 Mbit/s means unpaced', () => {
    assert.equal(new Pacer(0).allowed(0), Infinity);
  });
});
