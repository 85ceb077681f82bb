/**
 * attack-udp: `npm run bench -- attack-udp` — each UDP row of issue 12's attack table for
 * ATTACK_MS (60 s; CAMWIRE_ATTACK_MS to change), next to a no-attack baseline in the same run.
 * Verdict per row: the good viewer keeps ≥ 95 % of the frames published while the attack ran,
 * and RSS grows by at most 64 MiB.
 */
import { runUdpAttack, UDP_ATTACKS, type UdpAttackName } from '../support/udp-attacks.js';
import { pct, table, type Section } from './section.js';

const ATTACK_MS = Number(process.env.CAMWIRE_ATTACK_MS ?? 60_000);
/** SHARE and RSS_GROWTH_MIB: issue 12's targets for a good viewer under attack. */
const SHARE = 0.95;
const RSS_GROWTH_MIB = 64;

/** section is the UDP attack section. */
export const section: Section = {
  name: 'attack-udp',
  async run() {
    const rows: (string | number)[][] = [];
    let fails = 0;
    for (const name of Object.keys(UDP_ATTACKS) as UdpAttackName[]) {
      const r = await runUdpAttack(name, ATTACK_MS);
      const growth = r.rssPeakMiB - r.rssBeforeMiB;
      const ok = r.share >= SHARE && growth <= RSS_GROWTH_MIB;
      if (!ok && name !== 'token') fails++;
      const detail = Object.entries(r.detail)
        .filter(([, v]) => v !== 0 && Number.isFinite(v))
        .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`)
        .join(', ');
      rows.push([UDP_ATTACKS[name], `${r.got}/${r.sent}`, pct(r.share), growth.toFixed(0), detail, name === 'token' ? (r.detail.withSecret ? 'token seen (not fixed)' : 'no token seen') : ok ? 'pass' : 'FAIL']);
    }
    return [
      `## UDP attacks (issue 12): a good 30 fps viewer and this process's RSS, ${ATTACK_MS / 1000} s per attack`,
      '',
      table(['attack', 'good viewer frames', 'share', 'RSS growth (MiB)', 'figures', `verdict (≥ ${SHARE * 100} %, ≤ ${RSS_GROWTH_MIB} MiB)`], rows),
      '',
      fails ? `${fails} attack(s) missed the target.` : 'Every fixed attack met the target.',
    ].join('\n');
  },
};
