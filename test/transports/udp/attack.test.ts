/**
 * The UDP rows of issue 12's attack table, a few seconds each. Each row checks what its fix does
 * (hub memory, refused parity, no crash, no phantom streams and bounded attacker peers, bounded
 * retransmission, no secret on the wire) and that this process's RSS stays bounded (RSS_GROWTH_MIB) —
 * today's main fails every row. The good viewer's share of frames is measured and reported here
 * but judged (≥ 95 % over 60 s) by `npm run bench -- attack-udp`: in CI, hub, peers and attackers
 * share a 2-core machine with other jobs, and 3 s hold too few frames to judge a share.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runUdpAttack, type UdpAttackName, type UdpAttackResult } from '../../../support/udp-attacks.js';

const DURATION_MS = 3000;
/**
 * RSS_GROWTH_MIB bounds this whole process's growth: the hub may by design hold up to its 64 MiB
 * hub-wide budget of unauthenticated reassembly (the target, asserted exactly as
 * `hubBufferedMiBPeak` below), and the attacker's worker thread and the good viewer live in this
 * same process (a worker's V8 heap, socket buffers, GC slack: measured 6–20 MiB above the budget
 * on a quiet machine). So RSS may grow by the budget plus 48 MiB; today's main has no budget at
 * all and fails the `hubBufferedMiBPeak` check instead.
 */
const RSS_GROWTH_MIB = 64 + 48;

async function attack(name: UdpAttackName): Promise<UdpAttackResult> {
  const r = await runUdpAttack(name, DURATION_MS);
  assert.ok(r.sent > 0 && r.got > 0, `the good viewer got ${r.got}/${r.sent} frames under the ${name} attack (${JSON.stringify(r.detail)})`);
  assert.ok(r.rssPeakMiB - r.rssBeforeMiB <= RSS_GROWTH_MIB, `RSS grew ${(r.rssPeakMiB - r.rssBeforeMiB).toFixed(0)} MiB under the ${name} attack`);
  return r;
}

describe('udp under attack', () => {
  it('memory amplification: huge declared counts cost what arrived, charged to the budget', async () => {
    const r = await attack('memory');
    assert.ok(r.detail.attackers > 0 && r.detail.datagrams > 0, 'the attack ran');
    assert.ok(r.detail.hubBufferedMiBPeak <= 64, `the hub held ${r.detail.hubBufferedMiBPeak} MiB of reassembly`);
  });

  it('FEC CPU bomb: parity beyond udpMaxFecPercent is refused before any repair', async () => {
    const r = await attack('fec-bomb');
    assert.ok(r.detail.parityRefused > 0, 'parity beyond udpMaxFecPercent was refused');
  });

  it('spoofed datagrams from the hub\'s address crash neither viewer nor publisher', async () => {
    const r = await attack('spoof');
    assert.ok(r.detail.datagrams > 100, 'the attack ran');
  });

  it('subscriber-slot flood: per-address limit, no phantom streams, ghosts lose the stream', async () => {
    const r = await attack('slots');
    assert.equal(r.detail.phantomStreams, 0, 'viewing a missing stream must not create it');
    assert.ok(r.detail.attackerPeersPeak <= 64, `${r.detail.attackerPeersPeak} attacker peers held`);
  });

  it('NACK amplification: retransmissions capped at half the stream', async () => {
    const r = await attack('nack');
    assert.equal(r.detail.welcomed, 1);
    assert.ok(r.detail.firstBytes > 0, 'the attacker received the stream');
    assert.ok(r.detail.pullFactor <= 1.6, `NACKs pulled ${r.detail.pullFactor.toFixed(2)}× the stream`);
  });


  it('token in clear: with --token, no datagram on the path carries the secret', async () => {
    const r = await attack('token');
    assert.ok(r.detail.datagramsSniffed > 100, 'the sniffer saw the traffic');
    assert.equal(r.detail.withSecret, 0, `${r.detail.withSecret} datagrams carried the token`);
  });
});
