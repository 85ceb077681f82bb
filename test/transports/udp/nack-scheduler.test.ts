import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameAssembly } from '../../../src/transports/udp/assembly.js';
import { BACKOFF_INITIAL_RTT_MS, BACKOFF_RTTS, NackScheduler } from '../../../src/transports/udp/nack-scheduler.js';
import { fragmentsOf, testFrame } from '../../../support/udp-frames.js';

/** assemblyWithout: frame 1 (47 000 bytes, no parity) with data fragments `lost` missing, all arrived at 0 ms. */
function assemblyWithout(lost: number[]): FrameAssembly {
  const frags = fragmentsOf(testFrame(47_000, 1), 1, { fecPercent: 0 });
  const a = new FrameAssembly(frags[0].header, 0);
  for (const f of frags) if (!lost.includes(f.header.index)) a.add(f, 0);
  return a;
}

describe('nack scheduler: multicast back-off and suppression', () => {
  const window = BACKOFF_RTTS * BACKOFF_INITIAL_RTT_MS;

  it('waits a random back-off within BACKOFF_RTTS round trips before asking', () => {
    const s = new NackScheduler(5, 15, true, () => 0.5);
    const a = assemblyWithout([2, 3]);
    assert.deepEqual(s.due([a], 1), [], 'back-off drawn, not yet over');
    assert.deepEqual(s.due([a], 1 + 0.5 * window - 0.5), [], 'checked again 1 ms later: still waiting');
    assert.deepEqual(s.due([a], 1 + 0.5 * window + 1).map((n) => n.indices), [[2, 3]]);
    assert.equal(s.nacks, 1);
  });

  it('another member\'s NACK heard during the back-off cancels the ask for its fragments (counted as suppressed)', () => {
    const s = new NackScheduler(5, 15, true, () => 0.9);
    const a = assemblyWithout([2, 3]);
    assert.deepEqual(s.due([a], 1), []);
    s.heard(a, [2, 3], 2);
    assert.deepEqual(s.due([a], 1 + window), [], 'the other member asked: nothing left to ask');
    assert.equal(s.suppressed, 1);
    assert.equal(s.heardNacks, 1);
    // If the repair is lost too, this member asks after the retry interval like any other.
    assert.deepEqual(s.due([a], 2 + 16), []);
    assert.deepEqual(s.due([a], 2 + 16 + window).map((n) => n.indices), [[2, 3]]);
  });

  it('a heard NACK for some fragments leaves the others to ask for', () => {
    const s = new NackScheduler(5, 15, true, () => 0);
    const a = assemblyWithout([2, 3, 9]);
    s.heard(a, [3], 0);
    assert.deepEqual(s.due([a], 1).map((n) => n.indices), [[2, 9]], 'only what nobody asked for');
  });

  it('a frame completed during its back-off counts as suppressed; unicast asks at once', () => {
    const s = new NackScheduler(5, 15, true, () => 0.9);
    const a = assemblyWithout([2]);
    s.due([a], 1);
    s.settled(a);
    assert.equal(s.suppressed, 1);
    const u = new NackScheduler(5, 15);
    assert.deepEqual(u.due([assemblyWithout([2])], 1).map((n) => n.indices), [[2]]);
  });
});
