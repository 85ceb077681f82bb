import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LossMeter, LOSS_SETTLE_FRAMES } from '../../../src/transports/udp/loss-meter.js';
import { Prng } from '../../../support/prng.js';

const frag = (frameNo: number, retransmit = false) => ({ frameNo, dataCount: 30, parityCount: 10, retransmit });

describe('loss meter', () => {
  it('measures the share of first sends lost, judging a frame once newer ones started', () => {
    const m = new LossMeter();
    const prng = new Prng(5);
    for (let f = 0; f < 400; f++) for (let i = 0; i < 40; i++) if (!prng.chance(0.1)) m.seen(frag(f));
    assert.ok(Math.abs(m.lossRate! - 0.1) < 0.03, `10 % loss measured as ${m.lossRate}`);
    assert.equal(m.judged, 400 - LOSS_SETTLE_FRAMES);
  });

  it('ignores retransmissions and duplicates, counts frames never seen as lost, and is unknown at first', () => {
    const m = new LossMeter();
    m.seen(frag(0));
    assert.equal(m.lossRate, undefined, 'nothing judged yet');
    for (let f = 0; f < 200; f++) {
      if (f % 10 === 5) continue; // a whole frame lost: one frame in ten
      for (let i = 0; i < 40; i++) m.seen(frag(f));
      for (let i = 0; i < 5; i++) m.seen(frag(f)); // duplicates do not make a frame better than whole
      m.seen(frag(f, true));
    }
    assert.ok(Math.abs(m.lossRate! - 0.1) < 0.05, `whole frames lost: ${m.lossRate}`);
  });

  it('takes a jump of the frame number as a restart, not as thousands of lost frames', () => {
    const m = new LossMeter();
    for (let f = 0; f < 100; f++) for (let i = 0; i < 40; i++) m.seen(frag(f));
    for (let f = 1_000_000; f < 1_000_010; f++) for (let i = 0; i < 40; i++) m.seen(frag(f));
    assert.ok(m.lossRate! < 0.01, `${m.lossRate}`);
  });
});
