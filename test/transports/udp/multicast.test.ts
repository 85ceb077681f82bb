import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Frame } from '../../../src/frame/frame.js';
import { FEC_AUTO_MAX_PERCENT } from '../../../src/transports/udp/auto-parity.js';
import { MULTICAST_REPAIR_SHARE, RETRANSMIT_CACHE_FRAMES, type FrameSenderStats } from '../../../src/transports/udp/frame-sender.js';
import { runMulticast, type McReceiver } from '../../../support/udp-multicast.js';
import { jpegFrames } from '../../../support/udp-stream.js';

// Multicast repair through a lossy relay per receiver (support/multicast-relay.ts). 640x360
// pictures (~12 datagrams a frame) keep ten receivers and their relays affordable on a loaded
// machine; the bench runs 720p. Margins are generous: what is asserted is the mechanism (repairs
// reach everyone, the caps hold), not a delivery figure a loaded machine may miss.
let pictures: Frame[];
before(async () => {
  pictures = await jpegFrames(4, 640, 360);
});

const share = (r: McReceiver) => r.intact / Math.max(1, r.measured);
const min = (rs: McReceiver[]) => Math.min(...rs.map(share));
const mean = (rs: McReceiver[]) => rs.reduce((n, r) => n + share(r), 0) / rs.length;
const describeRun = (rs: McReceiver[]) => rs.map((r) => `${r.intact}/${r.measured}`).join(' ');
/** repairCap: repairs may be MULTICAST_REPAIR_SHARE of first sends, plus the bucket's depth (that share of the cached frames). */
const repairCap = (s: FrameSenderStats) => {
  const first = s.bytes - s.repairBytes;
  return MULTICAST_REPAIR_SHARE * first * (1 + RETRANSMIT_CACHE_FRAMES / Math.max(1, s.frames));
};
// 15 fps: ten receivers and ten relays share this process's event loop with the sender.
const FPS = 15;

describe('udp multicast repair (NACK with suppression, --fec auto)', { timeout: 120_000 }, () => {
  it('ten receivers at 10 % independent loss: NACK + fec auto beat FEC alone, none corrupt, within the repair cap', async () => {
    const losses = Array.from({ length: 10 }, () => ({ loss: 0.1 }));
    // Today's multicast (rs 10 %, no NACK) against the default (NACK + --fec auto), same seeds.
    const fecOnly = await runMulticast({ losses, seed: 1400, frames: 60, fps: FPS, pictures, udp: { nack: false, fecAuto: false, fecPercent: 10 } });
    const repaired = await runMulticast({ losses, seed: 1400, frames: 60, fps: FPS, pictures });
    for (const r of [...fecOnly.receivers, ...repaired.receivers]) assert.equal(r.corrupt, 0);
    assert.ok(min(repaired.receivers) >= 0.7, `every receiver ≥ 70 % intact: ${describeRun(repaired.receivers)} (sender sent ${repaired.sender.frames})`);
    assert.ok(mean(repaired.receivers) > mean(fecOnly.receivers) + 0.05, `repaired: ${describeRun(repaired.receivers)} vs FEC only: ${describeRun(fecOnly.receivers)}`);
    const s = repaired.sender;
    // Parity sized from the worst report leaves few frames to NACKs: back-off and suppression
    // are checked in nack-scheduler.test.ts, once-per-round and the cap in frame-sender.test.ts
    // and the hostile-member test below.
    assert.ok(s.lossReports > 0 && s.parityPercent > 10, `receivers reported their loss, parity rose to ${s.parityPercent} %`);
    const rx = repaired.receivers.map((r) => r.stats!);
    assert.ok(rx.every((x) => x.lossRate !== null && x.lossRate > 0.03 && x.lossRate < 0.2), `each receiver measured ~10 % loss: ${rx.map((x) => x.lossRate?.toFixed(3))}`);
    assert.ok(s.repairBytes <= repairCap(s), 'repairs within the cap');
  });

  it('repairs bursts of loss (Gilbert–Elliott, mean burst 4) with --fec auto', async () => {
    const r = await runMulticast({ losses: Array.from({ length: 3 }, () => ({ burst: { enter: 0.01, exit: 0.25 } })), seed: 1500, frames: 60, fps: FPS, pictures });
    for (const x of r.receivers) assert.equal(x.corrupt, 0);
    assert.ok(r.sender.worstLoss > 0.01 && r.sender.worstLoss < 0.3, `the worst report is about the relays' loss: ${r.sender.worstLoss}`);
    assert.ok(min(r.receivers) >= 0.75, describeRun(r.receivers));
    assert.ok(r.relays.every((x) => x.dropped > 10), 'every relay really lost bursts');
  });

  it('one receiver at 50 % loss does not drag the others, nor parity past its cap, nor repairs past theirs', async () => {
    const r = await runMulticast({ losses: [{ loss: 0.5 }, { loss: 0.1 }, { loss: 0.1 }, { loss: 0.1 }], seed: 1600, frames: 60, fps: FPS, pictures });
    const others = r.receivers.slice(1);
    for (const x of r.receivers) assert.equal(x.corrupt, 0);
    assert.ok(min(others) >= 0.75, `the 10 % receivers: ${describeRun(others)}`);
    assert.ok(r.sender.parityPercent > 20 && r.sender.worstLoss > 0.3, `auto parity rose with the worst report (${r.sender.parityPercent} % for ${r.sender.worstLoss})`);
    assert.ok(r.sender.parityPercent <= FEC_AUTO_MAX_PERCENT + 10, `parity ${r.sender.parityPercent} % (cap ${FEC_AUTO_MAX_PERCENT} %, rounded up per frame)`);
    assert.ok(r.sender.repairBytes <= repairCap(r.sender), `repairs within the cap: ${r.sender.repairBytes} of ${r.sender.bytes}`);
  });

  it('a member NACKing everything gets repairs capped at a share of the stream; the others keep their frames', async () => {
    const r = await runMulticast({ losses: [{ loss: 0.1 }, { loss: 0.1 }, { loss: 0.1 }], seed: 1700, frames: 60, fps: FPS, pictures, hostile: true });
    const s = r.sender;
    assert.ok(r.hostileNacks > 200, `the hostile member asked ${r.hostileNacks} times`);
    assert.ok(s.repairBytes <= repairCap(s), `${s.repairBytes} repair bytes for ${s.bytes - s.repairBytes} sent`);
    assert.ok(s.retransmitRefused > 0, 'the cap refused the flood');
    for (const x of r.receivers) assert.equal(x.corrupt, 0);
    assert.ok(min(r.receivers) >= 0.75, `the real members: ${describeRun(r.receivers)}`);
  });

  it('a receiver joining late gets the frames from when it joined (NACKs for frames no longer held go unanswered)', async () => {
    const r = await runMulticast({ losses: [{ loss: 0.1 }, { loss: 0.1 }], seed: 1800, frames: 60, fps: FPS, pictures, lateJoin: { receiver: 1, afterFrames: 30 } });
    const late = r.receivers[1];
    assert.equal(late.measured, 30);
    assert.equal(late.corrupt, 0);
    assert.ok(share(late) >= 0.7, `late receiver: ${late.intact}/${late.measured}`);
    assert.ok(share(r.receivers[0]) >= 0.75, `first receiver: ${r.receivers[0].intact}/${r.receivers[0].measured}`);
    assert.ok(r.sender.parityPercent > 10 && r.sender.parityPercent <= 50, `--fec auto raised parity for 10 % loss: ${r.sender.parityPercent} %`);
  });
});
