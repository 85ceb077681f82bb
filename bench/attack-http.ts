/**
 * attack-http: issue 12's HTTP/WebSocket attacks for 60 s each against a `camwire serve`
 * process (support/http-attacks.ts), next to a same-run baseline without an attack (the first
 * row; "share / baseline" compares each row with it). Judged here:
 * the good viewer keeps ≥ 95 % of the frames published during the window, /healthz answers
 * every poll, the hub's RSS grows by ≤ 64 MiB, and the attack gets nothing.
 */
import { runHttpAttack, type AttackRun } from '../support/http-attacks.js';
import type { HttpAttack } from '../support/http-attackers.js';
import { pct, table, type Section } from './section.js';

const WINDOW_MS = 60_000;
const TARGET_SHARE = 0.95;
const RSS_GROWTH_MIB = 64;

function verdict(r: AttackRun): string {
  const fails: string[] = [];
  if (r.share < TARGET_SHARE) fails.push(`share ${pct(r.share)} < ${pct(TARGET_SHARE)}`);
  if (r.healthOk < r.healthTried) fails.push(`/healthz ${r.healthOk}/${r.healthTried}`);
  if (r.rssPeakMiB - r.rssStartMiB > RSS_GROWTH_MIB) fails.push(`RSS +${(r.rssPeakMiB - r.rssStartMiB).toFixed(0)} MiB`);
  if (r.report.successes > 0) fails.push(`${r.report.successes} attack successes`);
  if (r.logLeaks) fails.push(`${r.logLeaks} log lines held a secret`);
  if (r.hubDied) fails.push(`the hub died (${r.hubDied.split(':')[0]})`);
  return fails.length ? `FAIL (${fails.join(', ')})` : 'PASS';
}

/** section is the attack-http benchmark. */
export const section: Section = {
  name: 'attack-http',
  async run() {
    const attacks: (HttpAttack | 'none')[] = ['none', 'slowloris', 'subscribe-flood', 'header-flood', 'auth-brute-force', 'dns-rebinding', 'credentials-leak'];
    const rows: (string | number)[][] = [];
    let baseline: AttackRun | undefined;
    for (const a of attacks) {
      const r = await runHttpAttack(a, { windowMs: WINDOW_MS });
      baseline ??= r;
      const statuses = r.report.statuses ? Object.entries(r.report.statuses).map(([k, v]) => `${k}×${v}`).join(' ') : '';
      rows.push([a, r.published, r.received, pct(r.share), baseline.share > 0 ? pct(r.share / baseline.share) : '-', `${r.healthOk}/${r.healthTried}`, r.rssStartMiB.toFixed(0), r.rssPeakMiB.toFixed(0), r.report.attempts, r.report.successes, statuses, a === 'none' ? '-' : verdict(r)]);
    }
    return [
      `## attack-http — ${WINDOW_MS / 1000} s per attack, good viewer at 127.0.0.1 (MJPEG under slowloris, the viewer WebSocket with acks otherwise)`,
      table(['attack', 'published', 'received', 'share', 'share / baseline', '/healthz', 'RSS start MiB', 'RSS peak MiB', 'attack attempts', 'attack successes', 'answers', 'verdict'], rows),
    ].join('\n\n');
  },
};
