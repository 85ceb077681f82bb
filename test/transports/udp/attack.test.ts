/**
 * The UDP rows of issue 12's attack table, a few seconds each (bench/attack-udp.ts runs them for
 * 60 s): under every attack the good viewer keeps ≥ 95 % of the frames it gets without attack in
 * the same run (hub, peers and attackers share this process and a busy machine), and this
 * process's RSS stays within 64 MiB of where it started, plus each row's own check.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runUdpAttack, type UdpAttackName, type UdpAttackResult } from '../../../support/udp-attacks.js';

const DURATION_MS = 3000;
const RSS_GROWTH_MIB = 64;
/**
 * SHARE: half the baseline in CI, where attackers, hub and peers share a 2-core machine with
 * other jobs and 3 s hold ~60 frames; bench/attack-udp.ts judges 95 % over 60 s. Each row also
 * checks what its fix does, which today's main fails outright.
 */
const SHARE = 0.5;

let baseline: UdpAttackResult;
before(async () => {
  baseline = await runUdpAttack('none', DURATION_MS);
});

async function attack(name: UdpAttackName): Promise<UdpAttackResult> {
  const r = await runUdpAttack(name, DURATION_MS);
  assert.ok(r.sent >= 15, `only ${r.sent} frames published in ${DURATION_MS} ms`);
  const want = SHARE * baseline.share;
  assert.ok(r.share >= want, `good viewer got ${r.got}/${r.sent} frames under the ${name} attack, ${(100 * baseline.share).toFixed(0)} % without (${JSON.stringify(r.detail)})`);
  assert.ok(r.rssPeakMiB - r.rssBeforeMiB <= RSS_GROWTH_MIB, `RSS grew ${(r.rssPeakMiB - r.rssBeforeMiB).toFixed(0)} MiB under the ${name} attack`);
  return r;
}

describe('udp under attack', () => {
  it('memory amplification: huge declared counts cost what arrived, charged to the budget', async () => {
    const r = await attack('memory');
    assert.ok(r.detail.datagrams > 200, 'the attack ran');
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
