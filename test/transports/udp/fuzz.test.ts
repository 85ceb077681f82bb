import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeDatagram } from '../../../src/transports/udp/control.js';
import { Reassembler } from '../../../src/transports/udp/reassembler.js';
import { isRejection } from '../../../src/transports/udp/wire.js';
import { Prng } from '../../../support/prng.js';
import { datagramsOf, sha1, testFrame, TEST_MAX_FRAME_BYTES } from '../../../support/udp-frames.js';

/**
 * A seeded fuzz loop: valid frames cut into datagrams, then lost, duplicated, reordered,
 * damaged, truncated and mixed with garbage. Whatever arrives, the reassembler must not throw,
 * must stay within its limits, and every frame it delivers must be exactly a frame that was sent.
 */
function fuzz(seed: number, frames: number) {
  const prng = new Prng(seed);
  const opts = { maxInFlight: 4, maxBufferedBytes: 400_000, deadlineMs: 50, nack: prng.chance(0.5) };
  const r = new Reassembler(opts);
  const sent = new Map<number, { hash: string; seq: number; captureUs: number }>();
  const rejected = new Map<string, number>();
  let delivered = 0;
  let now = 0;
  let queue: Buffer[] = [];
  const sizes = [1, 2, 1403, 1404, 1405, 2808, 2809];
  for (let n = 0; n < frames; n++) {
    const bytes = prng.chance(0.3) ? sizes[prng.int(sizes.length)] + 3 : 1 + prng.int(60_000);
    const frame = testFrame(Math.max(4, bytes), n, prng);
    sent.set(n, { hash: sha1(frame.payload), seq: frame.seq, captureUs: frame.captureUs });
    const dgs = datagramsOf(frame, n, { mtu: [576, 1500, 9000][prng.int(3)], fecPercent: [0, 10, 30][prng.int(3)], fecCode: prng.chance(0.5) ? 'rs' : 'xor' });
    for (const d of dgs) {
      if (prng.chance(0.1)) continue; // lost
      let x = Buffer.from(d);
      if (prng.chance(0.05)) x[prng.int(x.length)] ^= 1 << prng.int(8); // a bit flipped anywhere
      if (prng.chance(0.02)) x = x.subarray(0, prng.int(x.length)); // truncated
      queue.push(x);
      if (prng.chance(0.05)) queue.push(x); // duplicated
      if (prng.chance(0.02)) queue.push(prng.bytes(prng.int(200))); // garbage
    }
    // Reorder within a window of a few datagrams, then deliver part of the queue.
    for (let i = 0; i + 1 < queue.length; i++) if (prng.chance(0.1)) [queue[i], queue[i + 1]] = [queue[i + 1], queue[i]];
    const take = prng.chance(0.8) ? queue.length : prng.int(queue.length);
    for (const d of queue.slice(0, take)) {
      now += prng.int(3);
      const dg = decodeDatagram(d, TEST_MAX_FRAME_BYTES);
      if (isRejection(dg)) {
        rejected.set(dg.rejected, (rejected.get(dg.rejected) ?? 0) + 1);
        continue;
      }
      if (dg.type !== 'data') continue;
      for (const o of r.processInput({ fragment: dg.fragment, now })) {
        if (o.type !== 'frame') continue;
        const want = sent.get(o.frameNo);
        assert.ok(want, `delivered frame ${o.frameNo} that was never sent`);
        assert.equal(sha1(o.frame.payload), want.hash, `frame ${o.frameNo} delivered corrupt`);
        assert.equal(o.frame.seq, want.seq);
        assert.equal(o.frame.captureUs, want.captureUs);
        delivered++;
      }
      const s = r.toJSON();
      assert.ok(s.inFlight <= opts.maxInFlight);
      assert.ok(s.bufferedBytes <= opts.maxBufferedBytes);
    }
    queue = queue.slice(take);
    if (prng.chance(0.3)) {
      now += prng.int(80);
      r.processInput({ tick: true, now });
    }
  }
  return { delivered, rejected, stats: r.toJSON() };
}

describe('reassembler fuzz', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`delivers only exact frames under loss, damage and garbage (seed ${seed})`, () => {
      const { delivered, rejected, stats } = fuzz(seed, 150);
      if (process.env.FUZZ_DEBUG) console.log(delivered, [...rejected], stats);
      // The loop must exercise both outcomes, or it proves nothing.
      assert.ok(delivered > 20, `only ${delivered} frames delivered`);
      assert.ok(stats.lostDeadline + stats.lostSuperseded + stats.lostEvicted + stats.badChecksum + stats.lostUnseen > 0);
      assert.ok(rejected.size > 0);
    });
  }
});
