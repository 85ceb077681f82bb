import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AutoParity, binomialTail, FEC_AUTO_RESIDUAL, parityForLoss, REPORT_MEMORY_MS } from '../../../src/transports/udp/auto-parity.js';

describe('auto parity', () => {
  it('binomialTail matches exact sums', () => {
    // P(X > 1), X ~ Bin(3, 0.5) = 4/8.
    assert.ok(Math.abs(binomialTail(3, 0.5, 1) - 0.5) < 1e-12);
    assert.ok(Math.abs(binomialTail(10, 0.1, 0) - (1 - 0.9 ** 10)) < 1e-12);
    assert.equal(binomialTail(10, 0, 0), 0);
    assert.equal(binomialTail(10, 0.3, 10), 0);
  });

  it('picks the fewest parity fragments that leave at most FEC_AUTO_RESIDUAL of frames to NACKs', () => {
    for (const loss of [0.01, 0.05, 0.1]) {
      const m = parityForLoss(34, loss, 50);
      assert.ok(binomialTail(34 + m, loss, m) <= FEC_AUTO_RESIDUAL, `${loss}: ${m} is enough`);
      assert.ok(binomialTail(34 + m - 1, loss, m - 1) > FEC_AUTO_RESIDUAL, `${loss}: ${m - 1} is not`);
    }
    assert.equal(parityForLoss(34, 0, 50), 1, 'a clean LAN: 3 % rounded down');
    assert.equal(parityForLoss(20, 0, 50), 0, 'small frames on a clean LAN: none');
    assert.equal(parityForLoss(34, 0.5, 50), 14, '40 % cap');
    assert.equal(parityForLoss(34, 0.5, 20), 7, 'the receivers\' udpMaxFecPercent cap');
    assert.ok(parityForLoss(10_000, 0.1, 50) < 1200, 'large frames are computed too (and quickly)');
  });

  it('follows the worst report of the last REPORT_MEMORY_MS', () => {
    const a = new AutoParity(50);
    const initial = a.parityCount(34, 0);
    a.report(0, 0);
    assert.equal(a.parityCount(34, 1), 1);
    a.report(0.1, 10);
    a.report(0.01, 20);
    const lossy = a.parityCount(34, 30);
    assert.ok(lossy > initial && lossy === parityForLoss(34, 0.1, 50));
    assert.equal(a.worstLoss(REPORT_MEMORY_MS + 15), 0.01, 'the 10 % report expired');
    assert.equal(a.parityCount(34, REPORT_MEMORY_MS + 15), parityForLoss(34, 0.01, 50));
  });
});
