import assert from 'node:assert/strict';
import { ENTRY_OVERHEAD_BYTES, FRAME_OVERHEAD_BYTES } from '../../../src/transports/udp/assembly.js';
import { describe, it } from 'node:test';
import { Reassembler, type ReassemblerOptions, type ReassemblerOutput } from '../../../src/transports/udp/reassembler.js';
import type { Fragment } from '../../../src/transports/udp/wire.js';
import { Prng } from '../../../support/prng.js';
import { fragmentsOf, sha1, testFrame } from '../../../support/udp-frames.js';

/** A 47 000-byte frame: 34 data fragments (1404 bytes, the last 668), 4 rs parity at 10 %. */
const BYTES = 47_000;
const N = 34;
const M = 4;

function feed(r: Reassembler, frags: Fragment[], now = 0): ReassemblerOutput[] {
  return frags.flatMap((fragment) => r.processInput({ fragment, now }));
}
const framesIn = (out: ReassemblerOutput[]) => out.flatMap((o) => (o.type === 'frame' ? [o] : []));
const nacksIn = (out: ReassemblerOutput[]) => out.flatMap((o) => (o.type === 'nack' ? [o.nack] : []));
const without = (frags: Fragment[], lost: number[]) => frags.filter((_, i) => !lost.includes(i));
const reassembler = (o: Partial<ReassemblerOptions> = {}) => new Reassembler({ nack: false, ...o });

describe('reassembler: loss patterns on one frame', () => {
  const prng = new Prng(42);
  const cases: { name: string; order: (f: Fragment[]) => Fragment[]; fec?: number; delivered: boolean; repaired?: number }[] = [
    { name: 'in order, nothing lost', order: (f) => f, delivered: true, repaired: 0 },
    { name: 'reversed (parity first: complete, by repair, M fragments early)', order: (f) => [...f].reverse(), delivered: true, repaired: M },
    { name: 'shuffled', order: (f) => prng.shuffle([...f]), delivered: true },
    { name: 'every fragment twice', order: (f) => f.flatMap((x) => [x, x]), delivered: true, repaired: 0 },
    { name: 'the first fragment lost', order: (f) => without(f, [0]), delivered: true, repaired: 1 },
    { name: 'the short last data fragment lost', order: (f) => without(f, [N - 1]), delivered: true, repaired: 1 },
    { name: 'M data fragments lost', order: (f) => without(f, [0, 10, 20, 33]), delivered: true, repaired: M },
    { name: 'a burst of M lost', order: (f) => without(f, [12, 13, 14, 15]), delivered: true, repaired: M },
    { name: 'M + 1 lost', order: (f) => without(f, [0, 1, 2, 3, 4]), delivered: false },
    { name: 'all parity lost', order: (f) => without(f, [34, 35, 36, 37]), delivered: true, repaired: 0 },
    { name: 'one lost without FEC', order: (f) => without(f, [7]), fec: 0, delivered: false },
    { name: 'nothing lost without FEC', order: (f) => f, fec: 0, delivered: true, repaired: 0 },
  ];
  for (const c of cases) {
    it(`${c.delivered ? 'delivers' : 'does not deliver'} a frame with ${c.name}`, () => {
      const frame = testFrame(BYTES, 1);
      const all = fragmentsOf(frame, 1, { fecPercent: c.fec ?? 10 });
      const r = reassembler();
      const got = framesIn(feed(r, c.order(all)));
      if (!c.delivered) {
        assert.equal(got.length, 0);
        r.processInput({ tick: true, now: 1000 });
        assert.equal(r.toJSON().lostDeadline, 1);
        assert.equal(r.toJSON().inFlight, 0);
        assert.equal(r.toJSON().bufferedBytes, 0);
        return;
      }
      assert.equal(got.length, 1);
      assert.equal(sha1(got[0].frame.payload), sha1(frame.payload));
      const { stream: _, ...meta } = frame;
      assert.deepEqual(got[0].frame, { ...meta, payload: got[0].frame.payload });
      if (c.repaired !== undefined) assert.equal(r.toJSON().fecRepairedFragments, c.repaired);
      assert.equal(r.toJSON().bufferedBytes, 0);
    });
  }
});

describe('reassembler: several frames', () => {
  it('delivers interleaved frames whole, in order, never mixing their fragments', () => {
    const a = testFrame(BYTES, 1);
    const b = testFrame(BYTES, 2);
    const fa = fragmentsOf(a, 1);
    const fb = fragmentsOf(b, 2);
    const mixed = fa.flatMap((x, i) => [x, fb[i]]);
    const got = framesIn(feed(reassembler(), mixed));
    assert.deepEqual(got.map((g) => [g.frameNo, sha1(g.frame.payload)]), [[1, sha1(a.payload)], [2, sha1(b.payload)]]);
  });

  it('gives up an older incomplete frame when a newer one completes, and counts its stragglers late', () => {
    const r = reassembler();
    const f1 = fragmentsOf(testFrame(BYTES, 1), 1, { fecPercent: 0 });
    const f2 = fragmentsOf(testFrame(BYTES, 2), 2, { fecPercent: 0 });
    feed(r, f1.slice(0, 20));
    const got = framesIn(feed(r, f2));
    assert.deepEqual(got.map((g) => g.frameNo), [2]);
    assert.deepEqual(framesIn(feed(r, f1.slice(20))), []);
    const s = r.toJSON();
    assert.equal(s.lostSuperseded, 1);
    assert.equal(s.late, f1.length - 20);
    assert.equal(r.lostFrames, 1);
  });

  it('refuses a fragment that claims the same frame number but describes another frame', () => {
    const r = reassembler();
    const good = fragmentsOf(testFrame(BYTES, 1), 1);
    const impostor = fragmentsOf(testFrame(BYTES + 5000, 9), 1);
    const got = framesIn(feed(r, [good[0], impostor[1], impostor[2], ...good.slice(1)]));
    assert.equal(got.length, 1);
    assert.equal(sha1(got[0].frame.payload), sha1(testFrame(BYTES, 1).payload));
    assert.equal(r.toJSON().conflicts, 2);
  });

  it('never delivers a frame whose reassembled bytes fail the CRC (a forged fragment with a matching header)', () => {
    const r = reassembler();
    const frags = fragmentsOf(testFrame(BYTES, 1), 1, { fecPercent: 0 });
    const forged = { header: frags[3].header, payload: Buffer.alloc(frags[3].payload.length, 0x55) };
    const got = framesIn(feed(r, [forged, ...frags]));
    assert.equal(got.length, 0);
    assert.equal(r.toJSON().badChecksum, 1);
    assert.equal(r.toJSON().duplicates, 1);
  });

  it('keeps delivering when an incomplete frame numbered far ahead is given up', () => {
    const r = reassembler({ deadlineMs: 50 });
    const delivered: number[] = [];
    const push = (frags: Fragment[], now: number) => framesIn(feed(r, frags, now)).forEach((g) => delivered.push(g.frameNo));
    const whole = (n: number) => fragmentsOf(testFrame(BYTES, n), n, { fecPercent: 0 });
    push(whole(1), 0);
    push(fragmentsOf(testFrame(BYTES, 9), 900).slice(0, 3), 1); // a stray: frame 900, never completed
    push(whole(2), 2);
    r.processInput({ tick: true, now: 100 }); // frame 900 expires
    push(whole(3), 101);
    push(fragmentsOf(testFrame(BYTES, 9), 900).slice(3, 4), 102); // its straggler: late, not a new frame
    assert.deepEqual(delivered, [1, 2, 3]);
    assert.equal(r.toJSON().lostDeadline, 1);
    assert.equal(r.toJSON().late, 1);
    assert.equal(r.toJSON().inFlight, 0);
  });

  it('holds at most maxInFlight frames, giving up the oldest', () => {
    const r = reassembler({ maxInFlight: 3 });
    for (let n = 1; n <= 5; n++) feed(r, fragmentsOf(testFrame(BYTES, n), n, { fecPercent: 0 }).slice(1));
    const s = r.toJSON();
    assert.equal(s.inFlight, 3);
    assert.equal(s.lostEvicted, 2);
    const perFrame = BYTES + FRAME_OVERHEAD_BYTES + 2 * ENTRY_OVERHEAD_BYTES * Math.ceil(BYTES / 1404);
    assert.ok(s.bufferedBytes <= 3 * perFrame, 'payload plus bookkeeping of the 3 frames held');
  });

  it('keeps buffered bytes within maxBufferedBytes whatever the headers declare', () => {
    const r = reassembler({ maxBufferedBytes: 100_000 });
    for (let n = 1; n <= 10; n++) {
      feed(r, fragmentsOf(testFrame(80_000, n), n, { fecPercent: 0 }).slice(1));
      assert.ok(r.toJSON().bufferedBytes <= 100_000, `${r.toJSON().bufferedBytes} bytes held`);
    }
    assert.ok(r.toJSON().lostEvicted >= 9);
  });

  it('counts frame numbers that never showed up as lost', () => {
    const r = reassembler();
    feed(r, fragmentsOf(testFrame(BYTES, 1), 1));
    feed(r, fragmentsOf(testFrame(BYTES, 4), 4));
    assert.equal(r.toJSON().lostUnseen, 2);
    assert.equal(r.toJSON().frames, 2);
  });

  it('follows frame numbers across the u32 wrap', () => {
    const r = reassembler();
    const got = framesIn([0xfffffffe, 0xffffffff, 0, 1].flatMap((n, i) => feed(r, fragmentsOf(testFrame(3000, i), n))));
    assert.deepEqual(got.map((g) => g.frameNo), [0xfffffffe, 0xffffffff, 0, 1]);
  });

  it('treats a frame number far behind as a restarted sender, not a straggler', () => {
    const r = reassembler();
    feed(r, fragmentsOf(testFrame(3000, 1), 50_000));
    const got = framesIn(feed(r, fragmentsOf(testFrame(3000, 2), 3)));
    assert.equal(got.length, 1);
    assert.equal(r.toJSON().restarts, 1);
  });

  it('skips H.264 frames after a lost one until the next keyframe', () => {
    const r = reassembler();
    const h264 = (n: number, key: boolean) => fragmentsOf({ ...testFrame(3000, n), codec: 'h264', keyframe: key }, n, { fecPercent: 0 });
    const delivered: number[] = [];
    const push = (frags: Fragment[]) => framesIn(feed(r, frags)).forEach((g) => delivered.push(g.frameNo));
    push(h264(1, true));
    push(h264(2, false));
    push(h264(3, false).slice(1)); // frame 3 loses a fragment …
    push(h264(4, false)); // … so 4 completes, 3 is superseded, and 4 must not be shown
    push(h264(5, true));
    push(h264(6, false));
    assert.deepEqual(delivered, [1, 2, 5, 6]);
    assert.equal(r.toJSON().skippedForKeyframe, 1);
  });
});

describe('reassembler: NACKs', () => {
  it('asks for what parity cannot rebuild once the sender went quiet, and again after nackRetryMs', () => {
    const r = new Reassembler({ nack: true, nackIdleMs: 5, nackRetryMs: 15 });
    const frags = fragmentsOf(testFrame(BYTES, 1), 1);
    const lost = [3, 4, 5, 6, 7, 8];
    const data = without(frags, lost).slice(0, N - lost.length);
    const parity = frags.slice(N);
    assert.deepEqual(nacksIn(feed(r, data, 0)), [], 'no NACK while the frame is still arriving');
    assert.deepEqual(nacksIn(r.processInput({ tick: true, now: 4 })), []);
    const first = nacksIn(r.processInput({ tick: true, now: 6 }));
    assert.deepEqual(first, [{ streamId: 0x5eed, frameNo: 1, indices: lost }]);
    assert.deepEqual(nacksIn(r.processInput({ tick: true, now: 15 })), [], 'not again before nackRetryMs');
    assert.deepEqual(nacksIn(r.processInput({ tick: true, now: 22 })), first);
    const got = framesIn(feed(r, [...parity, frags[3], frags[4]], 23));
    assert.equal(got.length, 1, 'two retransmissions plus parity complete it');
    assert.equal(r.toJSON().nacks, 2);
    assert.equal(r.toJSON().nackedFragments, 12);
  });

  it('asks at once when the last fragment arrived or a newer frame started', () => {
    const r = new Reassembler({ nack: true });
    const f1 = fragmentsOf(testFrame(BYTES, 1), 1, { fecPercent: 0 });
    assert.deepEqual(nacksIn(feed(r, without(f1, [2]), 0)), [{ streamId: 0x5eed, frameNo: 1, indices: [2] }]);
    const f2 = fragmentsOf(testFrame(BYTES, 2), 2, { fecPercent: 0 });
    const out = feed(r, [...without(f2, [0, f2.length - 1])], 1);
    assert.deepEqual(nacksIn(out), [], 'frame 1 was asked for at 0 ms; frame 2 is still arriving');
    assert.deepEqual(nacksIn(feed(r, fragmentsOf(testFrame(BYTES, 3), 3).slice(0, 1), 20)).map((n) => [n.frameNo, n.indices]), [[1, [2]], [2, [0, f2.length - 1]]]);
  });

  it('never asks with nack off', () => {
    const r = reassembler();
    const out = [...feed(r, without(fragmentsOf(testFrame(BYTES, 1), 1, { fecPercent: 0 }), [2])), ...r.processInput({ tick: true, now: 100 })];
    assert.deepEqual(nacksIn(out), []);
  });
});
