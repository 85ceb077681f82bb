import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pacer, PACE_MAX_SPREAD_MS } from '../../../src/transports/udp/pacer.js';

describe('pacer', () => {
  it('spreads a frame evenly over its window and sends at least one datagram per step', () => {
    assert.equal(Pacer.due(34, 0, 16), 1);
    assert.equal(Pacer.due(34, 8, 16), 17);
    assert.equal(Pacer.due(34, 16, 16), 34);
    assert.equal(Pacer.due(34, 100, 16), 34);
    assert.equal(Pacer.due(34, 0, 0), 34, 'no window: all at once');
  });

  it('learns the frame interval and caps the window', () => {
    const p = new Pacer(50);
    assert.ok(Math.abs(p.start(0) - 1000 / 60) < 0.01, 'assumes 30 fps at first');
    for (let t = 100; t <= 2000; t += 100) p.start(t); // 10 fps
    assert.ok(Math.abs(p.intervalMs - 100) < 1);
    const slow = new Pacer(50);
    for (let t = 0; t <= 20_000; t += 1000) slow.start(t); // 1 fps
    assert.equal(slow.start(21_000), PACE_MAX_SPREAD_MS);
  });
});
