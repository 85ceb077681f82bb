import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar, COOKIE_EPOCH_MS } from '../../../src/transports/udp/cookie.js';
import { FrameSender, MAX_RETRANSMITS } from '../../../src/transports/udp/frame-sender.js';
import { Pacer, PACE_MAX_SPREAD_MS } from '../../../src/transports/udp/pacer.js';
import type { DatagramParts } from '../../../src/transports/udp/packetizer.js';
import { FLAG_RETRANSMIT } from '../../../src/transports/udp/wire.js';
import { testFrame } from '../../helpers/udp-frames.js';

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
    for (let i = 0; i < MAX_RETRANSMITS + 3; i++) s.onNack({ streamId: 0xabc, frameNo: 0, indices: [3, 500] });
    const again = sent.slice(first);
    assert.equal(again.length, MAX_RETRANSMITS, 'index 3 repeated at most MAX_RETRANSMITS times; 500 does not exist');
    for (const d of again) {
      assert.equal(d.parts[0].readUInt16BE(30), 3);
      assert.ok(d.parts[0].readUInt8(25) & FLAG_RETRANSMIT);
    }
    s.onNack({ streamId: 0xdef, frameNo: 0, indices: [1] });
    s.onNack({ streamId: 0xabc, frameNo: 77, indices: [1] });
    assert.equal(sent.length, first + MAX_RETRANSMITS, 'other stream ids and unknown frames are ignored');
    assert.equal(s.toJSON().nackIgnored, 2);
  });
});

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
