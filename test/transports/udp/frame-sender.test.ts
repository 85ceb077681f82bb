import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hub } from '../../../src/hub/hub.js';
import { FrameSender, MAX_RETRANSMITS, MULTICAST_REPAIR_SHARE, REPAIR_ROUND_MS, RETRANSMIT_SHARE, sendStream, type FrameSenderOptions } from '../../../src/transports/udp/frame-sender.js';
import type { DatagramParts } from '../../../src/transports/udp/packetizer.js';
import { DatagramType, FLAG_RETRANSMIT } from '../../../src/transports/udp/wire.js';
import { testFrame } from '../../../support/udp-frames.js';

describe('frame sender', () => {
  const sender = (paceMbps: number, sent: { at: number; parts: DatagramParts }[], more: Partial<FrameSenderOptions> = {}) =>
    new FrameSender(0xabc, (parts) => sent.push({ at: performance.now(), parts }), { mtu: 1500, fecPercent: 10, fecCode: 'rs', paceMbps, retransmit: true, ...more });
  const bytesOf = (ds: { parts: DatagramParts }[]) => ds.reduce((n, d) => n + d.parts[0].length + d.parts[1].length, 0);

  it('sends a whole frame at once without pacing, and paces it by rate after a 64 KiB burst', async () => {
    const burst: { at: number; parts: DatagramParts }[] = [];
    const s0 = sender(0, burst);
    const p = s0.send(testFrame(47_000, 1));
    assert.equal(burst.length, 38, 'every datagram left before send() yielded');
    await p;
    const paced: { at: number; parts: DatagramParts }[] = [];
    const p2 = sender(10, paced).send(testFrame(90_000, 1));
    const first = bytesOf(paced);
    assert.ok(first >= 62 * 1024 && first <= 64 * 1024, `the burst: ${first} bytes`);
    await p2;
    assert.equal(paced.length, 72);
    // 10 Mbit/s = 1250 bytes/ms: the ~30 KB after the burst take ≥ 20 ms (timers only make it later).
    assert.ok(paced[71].at - paced[0].at >= 15, 'the rest left at the rate, not in one burst');
  });

  it('answers NACKs for sent datagrams of cached frames only, flagged, at most MAX_RETRANSMITS times each', async () => {
    const sent: { at: number; parts: DatagramParts }[] = [];
    const s = sender(0, sent);
    await s.send(testFrame(47_000, 1));
    const first = sent.length;
    const frameNo = s.lastFrameNo;
    const t0 = performance.now();
    for (let i = 0; i < MAX_RETRANSMITS + 3; i++) s.onNack({ streamId: 0xabc, frameNo, indices: [3, 500] }, t0 + i * REPAIR_ROUND_MS);
    const again = sent.slice(first);
    assert.equal(again.length, MAX_RETRANSMITS, 'index 3 repeated at most MAX_RETRANSMITS times; 500 does not exist');
    for (const d of again) {
      assert.equal(d.parts[0].readUInt16BE(30), 3);
      assert.ok(d.parts[0].readUInt8(25) & FLAG_RETRANSMIT);
    }
    s.onNack({ streamId: 0xdef, frameNo, indices: [1] });
    s.onNack({ streamId: 0xabc, frameNo: frameNo + 77, indices: [1] });
    assert.equal(sent.length, first + MAX_RETRANSMITS, 'other stream ids and unknown frames are ignored');
    assert.equal(s.toJSON().nackIgnored, 2);
  });

  it('retransmits at most RETRANSMIT_SHARE of what it sent first, however often it is asked', async () => {
    const sent: { at: number; parts: DatagramParts }[] = [];
    const s = sender(0, sent);
    await s.send(testFrame(47_000, 1));
    const first = sent.reduce((n, d) => n + d.parts[0].length + d.parts[1].length, 0);
    const all = Array.from({ length: 38 }, (_, i) => i);
    const t0 = performance.now();
    for (let k = 0; k < 20; k++) s.onNack({ streamId: 0xabc, frameNo: s.lastFrameNo, indices: all }, t0 + k * REPAIR_ROUND_MS);
    const again = sent.slice(38).reduce((n, d) => n + d.parts[0].length + d.parts[1].length, 0);
    assert.ok(again <= RETRANSMIT_SHARE * first, `${again} bytes retransmitted for ${first} sent`);
    assert.ok(again > 0.4 * first, 'but real losses are still repaired');
    assert.ok(s.toJSON().retransmitRefused > 0);
  });

  it('repairs a datagram once per round whoever asks, and to a group at most MULTICAST_REPAIR_SHARE of the stream', async () => {
    const sent: { at: number; parts: DatagramParts }[] = [];
    const s = sender(0, sent, { multicast: true });
    for (let k = 0; k < 8; k++) await s.send(testFrame(47_000, k));
    const first = bytesOf(sent);
    const frameNo = s.lastFrameNo;
    const t0 = performance.now();
    // Ten receivers ask for the same two fragments within one round: one copy each.
    for (let r = 0; r < 10; r++) s.onNack({ streamId: 0xabc, frameNo, indices: [2, 7] }, t0 + r * 0.1);
    assert.equal(sent.length - 8 * 38, 2, 'one repair per fragment per round');
    assert.equal(s.toJSON().repairsCoalesced, 18);
    // A receiver that NACKs everything of every cached frame, round after round.
    const all = Array.from({ length: 38 }, (_, i) => i);
    for (let k = 1; k <= MAX_RETRANSMITS + 2; k++) for (let f = 0; f < 8; f++) s.onNack({ streamId: 0xabc, frameNo: frameNo - f, indices: all }, t0 + k * REPAIR_ROUND_MS);
    const repaired = bytesOf(sent.slice(8 * 38));
    assert.ok(repaired <= MULTICAST_REPAIR_SHARE * first, `${repaired} bytes of repairs for ${first} sent`);
    assert.equal(s.toJSON().repairBytes, repaired);
    assert.ok(s.toJSON().retransmitRefused > 0, 'the cap refused the rest');
  });

  it('with fecAuto, sizes parity from the worst recent LOSS report within its cap', async () => {
    const sent: { at: number; parts: DatagramParts }[] = [];
    const s = sender(0, sent, { fecAuto: true, maxFecPercent: 50, multicast: true });
    const parityOf = async (seq: number) => {
      sent.length = 0;
      await s.send(testFrame(47_000, seq));
      return sent[0].parts[0].readUInt16BE(34);
    };
    const clean = await parityOf(1);
    assert.ok(clean >= 1 && clean <= 3, `little parity before any report: ${clean}`);
    s.onLoss({ streamId: 0xabc, loss: 0 });
    assert.equal(await parityOf(2), 1, 'a clean LAN: one parity fragment in 34');
    s.onLoss({ streamId: 0xabc, loss: 0.1 });
    const lossy = await parityOf(3);
    assert.ok(lossy >= 7 && lossy <= 11, `10 % loss: ${lossy} parity fragments for 34`);
    s.onLoss({ streamId: 0x123, loss: 1 });
    assert.equal(await parityOf(4), lossy, 'another stream id\'s report is ignored');
    s.onLoss({ streamId: 0xabc, loss: 1 });
    assert.equal(await parityOf(5), 14, 'a receiver reporting 100 % loss gets the 40 % cap, no more');
    assert.equal(s.toJSON().parityPercent, 41.2);
    assert.equal(s.toJSON().worstLoss, 1);
  });

  it('is a FrameSink for the one pump: busy while pacing, and a waiting newer frame makes the rest leave at once', async () => {
    const sent: { at: number; parts: DatagramParts }[] = [];
    const s = sender(1, sent);
    const p = s.send(testFrame(90_000, 1));
    assert.ok(s.busy() && sent.length < 72, 'pacing under way');
    await s.writable();
    assert.equal(sent.length, 72, 'writable() flushed the frame being paced');
    assert.ok(!s.busy());
    await p;
  });

  it('sendStream: the newest frame wins, the last one is paced out whole, then END; a close sends no END', async () => {
    const hub = new Hub();
    const pub = hub.publish('s', 'test');
    const reader = hub.read('s');
    const sent: DatagramParts[] = [];
    const ends: Buffer[] = [];
    const s = new FrameSender(0xabc, (parts) => sent.push(parts), { mtu: 1500, fecPercent: 0, fecCode: 'rs', paceMbps: 1, retransmit: false });
    const done = sendStream(reader, s, (b) => ends.push(b));
    // Three frames in one tick: the reader's slot keeps the newest, the pump sends it.
    for (const seq of [1, 2, 3]) pub.publish({ ...testFrame(20_000, seq), stream: 's' });
    pub.end();
    assert.equal(await done, true, 'the stream ended');
    const seqs = new Set(sent.map(([h]) => h.readUInt32BE(12)));
    assert.deepEqual([...seqs], [3], 'only the newest frame went out');
    assert.equal(sent.length, 15, 'all of it');
    assert.equal(ends.length, 3, 'END, repeated');
    assert.ok(ends.every((b) => b.readUInt8(3) === DatagramType.END));
    assert.ok(reader.closed);

    const r2 = hub.read('t');
    const s2 = new FrameSender(0xdef, () => {}, { mtu: 1500, fecPercent: 0, fecCode: 'rs', paceMbps: 1, retransmit: false });
    const done2 = sendStream(r2, s2, (b) => ends.push(b));
    s2.close();
    r2.close();
    assert.equal(await done2, false, 'closed, not ended');
    assert.equal(ends.length, 3, 'no END after a close');
    await hub.close();
  });
});
