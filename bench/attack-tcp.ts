/**
 * attack-tcp: issue 12's TCP attacks for 60 s each against a `camwire serve` child with a
 * --token (support/attack-tcp.ts), next to a same-run baseline without an attack. The attacker
 * runs in its own process from 127.0.0.2…; the good viewer (with the token) joins from
 * 127.0.0.1 after the attack is in place. Judged here: the good viewer keeps ≥ 95 % of the
 * frames published during its window, the hub's RSS grows by ≤ 64 MiB, and no attacker
 * connection is welcomed.
 */
import { attackerAddresses, inChild, sampleRss, startAttackHub, type AttackKind, type AttackStats } from '../support/attack-tcp.js';
import { pct, table, type Section } from './section.js';

const WINDOW_MS = 60_000;
const TARGET_SHARE = 0.95;
const RSS_GROWTH_MIB = 64;
/** SETTLE_MS: the attack is in place this long before the good viewer joins, and the viewer this long before counting. */
const SETTLE_MS = 2000;

/** ATTACKS: what each row runs (addresses × connections per address, each reconnecting 4×/s). */
const ATTACKS: { name: string; kind?: AttackKind; addresses: number; perAddress: number }[] = [
  { name: 'none (baseline)', addresses: 0, perAddress: 0 },
  { name: 'connection flood, one address', kind: 'idleFlood', addresses: 1, perAddress: 200 },
  { name: 'slowloris HELLO (1 byte/s)', kind: 'slowHello', addresses: 20, perAddress: 55 },
  { name: 'oversized declarations (4 GiB FRAME, 2 GiB HELLO)', kind: 'oversized', addresses: 10, perAddress: 20 },
  { name: 'auth brute force (random proofs)', kind: 'bruteForce', addresses: 10, perAddress: 10 },
];

interface Row {
  published: number;
  received: number;
  rssStart: number;
  rssPeak: number;
  stats?: AttackStats;
}

async function runOne(kind: AttackKind | undefined, addresses: number, perAddress: number): Promise<Row> {
  const hub = await startAttackHub({ CAMWIRE_TOKEN: 'bench-attack-token' });
  try {
    const rss = sampleRss(hub.proc.pid!);
    const attack = kind ? inChild(kind, hub.port, addresses, perAddress, WINDOW_MS + 3 * SETTLE_MS) : Promise.resolve(undefined);
    await sleep(SETTLE_MS);
    hub.watch();
    await sleep(SETTLE_MS);
    const p0 = hub.replay.published;
    const g0 = hub.good.frames;
    await sleep(WINDOW_MS);
    const row: Row = { published: hub.replay.published - p0, received: hub.good.frames - g0, rssStart: rss.before, rssPeak: rss.peak() };
    rss.stop();
    await hub.stopWatching();
    row.stats = await attack;
    return row;
  } finally {
    await hub.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function verdict(r: Row): string {
  const fails: string[] = [];
  const share = r.received / Math.max(1, r.published);
  if (share < TARGET_SHARE) fails.push(`share ${pct(share)} < ${pct(TARGET_SHARE)}`);
  if (r.rssPeak - r.rssStart > RSS_GROWTH_MIB) fails.push(`RSS +${(r.rssPeak - r.rssStart).toFixed(0)} MiB`);
  if (r.stats && r.stats.welcomes > 0) fails.push(`${r.stats.welcomes} attacker connections welcomed`);
  return fails.length ? `FAIL (${fails.join(', ')})` : 'PASS';
}

function refusals(s: AttackStats | undefined): string {
  if (!s) return '-';
  const codes = Object.entries(s.refusals).sort((a, b) => b[1] - a[1]);
  return codes.length ? codes.map(([c, n]) => `${c.replace('CAMWIRE_ERR_', '')} ${n}`).join(', ') : 'none';
}

/** section is the attack-tcp benchmark. */
export const section: Section = {
  name: 'attack-tcp',
  async run() {
    const rows: (string | number)[][] = [];
    for (const a of ATTACKS) {
      const r = await runOne(a.kind, a.addresses, a.perAddress);
      const from = a.kind ? `${attackerAddresses(a.addresses).length} × ${a.perAddress}` : '-';
      rows.push([a.name, from, r.published, r.received, pct(r.received / Math.max(1, r.published)), r.rssStart.toFixed(0), r.rssPeak.toFixed(0), r.stats?.connections ?? '-', refusals(r.stats), a.kind ? verdict(r) : '-']);
    }
    return [
      `## attack-tcp — ${WINDOW_MS / 1000} s per attack, hub with --token, 320×240 MJPEG at 15 fps, good viewer (with the token) at 127.0.0.1`,
      table(['attack', 'addresses × conns', 'published', 'received', 'share', 'RSS start MiB', 'RSS peak MiB', 'attacker connections', 'refused with', 'verdict'], rows),
    ].join('\n\n');
  },
};
