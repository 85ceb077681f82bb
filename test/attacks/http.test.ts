/**
 * Attack tests for issue 12's HTTP/WebSocket rows, each against a real `camwire serve` process
 * with real sockets (support/http-attacks.ts). Each shows the fix from a good viewer's side: it
 * keeps its frames compared with a same-run baseline without the attack (FLOOR), /healthz keeps
 * answering, the hub's RSS stays bounded, and the attack itself gets nothing.
 * `npm run bench -- attack-http` runs the same attacks for 60 s each and judges the 95 % target.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LEAKY_SECRETS, runHttpAttack, type AttackRun } from '../../support/http-attacks.js';
import { FLOOD_SOCKETS, REBINDING_HOST, SLOWLORIS_CONNECTIONS } from '../../support/http-attackers.js';

/** WINDOW_MS: the measured window in CI (the bench runs 60 s). */
const WINDOW_MS = 4000;
/** RSS_GROWTH_MIB: the hub may grow by at most this under an attack (issue 12: ≤ 64 MiB for all unauthenticated peers). */
const RSS_GROWTH_MIB = 64;

/**
 * FLOOR: in CI the good viewer must keep at least half the frames it got in the same-run baseline.
 * On a shared two-core machine the share swings between ~60 and ~95 % of the baseline from run
 * to run (the attacker process competes for the same cores); today's main gives 0 % (slowloris)
 * and ~18 % (subscribe flood). The 95 % target is judged by the 60 s bench
 * (`npm run bench -- attack-http`), which runs alone.
 */
const FLOOR = 0.5;

function assertGoodViewerKept(run: AttackRun, baseline: AttackRun): void {
  const detail = JSON.stringify(run);
  assert.ok(run.share >= FLOOR * baseline.share, `the good viewer got ${(run.share * 100).toFixed(1)} % of its frames, the same-run baseline ${(baseline.share * 100).toFixed(1)} %: ${detail}`);
  assert.equal(run.healthOk, run.healthTried, `/healthz answered ${run.healthOk} of ${run.healthTried}: ${detail}`);
  assert.ok(run.rssPeakMiB - run.rssStartMiB <= RSS_GROWTH_MIB, `hub RSS ${run.rssStartMiB.toFixed(0)} → ${run.rssPeakMiB.toFixed(0)} MiB: ${detail}`);
}

describe('HTTP and WebSocket attacks (issue 12)', () => {
  let baseline: AttackRun;
  before(async () => {
    baseline = await runHttpAttack('none', { windowMs: WINDOW_MS });
    assert.ok(baseline.share > 0.5, `the baseline viewer itself got only ${(baseline.share * 100).toFixed(1)} %: ${JSON.stringify(baseline)}`);
  });

  it(`slowloris: ${SLOWLORIS_CONNECTIONS} half-open requests from 20 hosts do not refuse MJPEG or /healthz to a good client`, async () => {
    const run = await runHttpAttack('slowloris', { windowMs: WINDOW_MS });
    assert.ok(run.report.attempts >= SLOWLORIS_CONNECTIONS, `the attack ran: ${JSON.stringify(run.report)}`);
    assertGoodViewerKept(run, baseline);
  });

  it(`subscribe flood: ${FLOOD_SOCKETS} sockets subscribing and unsubscribing as fast as they can do not starve a viewer page`, async () => {
    const run = await runHttpAttack('subscribe-flood', { windowMs: WINDOW_MS });
    assert.ok(run.report.attempts > 500, `the attack ran: ${JSON.stringify(run.report)}`);
    // The mechanism: flooding sockets are closed (1008, CAMWIRE_ERR_RATE_LIMITED); today's main never closes them.
    assert.ok((run.report.closedByHub ?? 0) > 0, `no flooding socket was closed: ${JSON.stringify(run.report)}`);
    assertGoodViewerKept(run, baseline);
  });

  it(`DNS rebinding: requests with Host and Origin ${REBINDING_HOST} get nothing (no /ws, snapshot, MJPEG, API or metrics)`, async () => {
    const run = await runHttpAttack('dns-rebinding', { windowMs: WINDOW_MS });
    assert.ok(run.report.attempts >= 10, `the attack ran: ${JSON.stringify(run.report)}`);
    assert.equal(run.report.successes, 0, `${run.report.successes} of ${run.report.attempts} rebinding requests were answered: ${JSON.stringify(run.report.statuses)}`);
    assert.ok((run.report.statuses?.['421'] ?? 0) > 0, `refused by the Host check (421): ${JSON.stringify(run.report.statuses)}`);
    assertGoodViewerKept(run, baseline);
  });

  it(`camera passwords and tokens in a pulled source's URL never reach /api/streams, /metrics, the viewer socket's stream list or the log`, async () => {
    const run = await runHttpAttack('credentials-leak', { windowMs: WINDOW_MS });
    assert.ok(run.report.attempts >= 6, `the attack ran: ${JSON.stringify(run.report)}`);
    assert.equal(run.report.successes, 0, `${run.report.successes} of ${run.report.attempts} answers held one of ${LEAKY_SECRETS.join(', ')}`);
    assert.equal(run.logLeaks, 0, `${run.logLeaks} lines of the hub's debug log held a secret`);
  });
});
