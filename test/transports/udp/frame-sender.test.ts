import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hub } from '../../../src/hub/hub.js';
import { FrameSender, MAX_RETRANSMITS, RETRANSMIT_SHARE, sendStream } from '../../../src/transports/udp/frame-sender.js';
import type { DatagramParts } from '../../../src/transports/udp/packetizer.js';
import { DatagramType, FLAG_RETRANSMIT } from '../../../src/transports/udp/wire.js';
import { testFrame } from '../../helpers/udp-frames.js';

describe('frame sender', () => {
  const sender = (pacePercent: number, sent: { at: number; parts: DatagramParts }[]) =>
    new FrameSender(0xabc, (parts) => sent.push({ at: performance.now(), parts }), { mtu: 1500, fecPercent: 10, fecCode: 'rs', pacePercent, retransmit: true });

  it('sends a whole frame at once without pacing, and spreads it with pacing', async () => {
    const burst: { at: number; parts: DatagramParts }[] = [];
    const s0 = sender(0, burst);
    const p = s0.send(testFrame(47_000, 1));
    assert.equal(burst.length, 38, 'every datagram left before send() yielded');
    await p;
    const spread: { at: number; parts: DatagramParts }[] = [];
    await sender(50, spread).send(testFrame(47_000, 1));
    assert.equal(spread.length, 38);
    assert.ok(spread[37].at - spread[0].at >= 5, 'the frame left over several milliseconds, not in one burst');
  });

  it('answers NACKs for sent datagrams of cached frames only, flagged, at most MAX_RETRANSMITS times each', async () => {
    const sent: { at: number; parts: DatagramParts }[] = [];
    const s = sender(0, sent);
    await s.send(testFrame(47_000, 1));
    const first = sent.length;
    const frameNo = s.lastFrameNo;
    for (let i = 0; i < MAX_RETRANSMITS + 3; i++) s.onNack({ streamId: 0xabc, frameNo, indices: [3, 500] });
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
    for (let k = 0; k < 20; k++) s.onNack({ streamId: 0xabc, frameNo: s.lastFrameNo, indices: all });
    const again = sent.slice(38).reduce((n, d) => n + d.parts[0].length + d.parts[1].length, 0);
    assert.ok(again <= RETRANSMIT_SHARE * first, `${again} bytes retransmitted for ${first} sent`);
    assert.ok(again > 0.4 * first, 'but real losses are still repaired');
    assert.ok(s.toJSON().retransmitRefused > 0);
  });

  it('is a FrameSink for the one pump: busy while pacing, and a waiting newer frame makes the rest leave at once', async () => {
    const sent: { at: number; parts: DatagramParts }[] = [];
    const s = sender(50, sent);
    const p = s.send(testFrame(47_000, 1));
    assert.ok(s.busy() && sent.length < 38, 'pacing under way');
    await s.writable();
    assert.equal(sent.length, 38, 'writable() flushed the frame being paced');
    assert.ok(!s.busy());
    await p;
  });

  it('sendStream: the newest frame wins, the last one is paced out whole, then END; a close sends no END', async () => {
    const hub = new Hub();
    const pub = hub.publish('s', 'test');
    const reader = hub.read('s');
    const sent: DatagramParts[] = [];
    const ends: Buffer[] = [];
    const s = new FrameSender(0xabc, (parts) => sent.push(parts), { mtu: 1500, fecPercent: 0, fecCode: 'rs', pacePercent: 50, retransmit: false });
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
    const s2 = new FrameSender(0xdef, () => {}, { mtu: 1500, fecPercent: 0, fecCode: 'rs', pacePercent: 50, retransmit: false });
    const done2 = sendStream(r2, s2, (b) => ends.push(b));
    s2.close();
    r2.close();
    assert.equal(await done2, false, 'closed, not ended');
    assert.equal(ends.length, 3, 'no END after a close');
    await hub.close();
  });
});
