/**
 * core-hostile: the hub's memory and a good viewer's frame share while peers attack it —
 * streaming garbage, and declaring a 4 GiB frame then pushing its "body". The baseline is the
 * same hub and viewer in the same run with no attack.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { encodeHello, header, MessageType } from '../src/transports/tcp/messages.js';
import { freePort, rawConnect, waitForPort } from '../support/net.js';
import { camwire } from './procs.js';
import { protocolViewer, shareSince } from './viewer.js';
import { pct, table, type Section } from './section.js';
import { sleep } from '../src/util/sleep.js';

const PHASE_MS = 5000;
const ATTACKERS = 20;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** attack runs one hostile peer until `until`, reconnecting each time the hub drops it. */
async function attack(port: number, kind: 'garbage' | 'huge', until: number): Promise<number> {
  let dropped = 0;
  const junk = Buffer.alloc(256 * 1024, 0xab);
  while (Date.now() < until) {
    const s: Socket = await rawConnect(port);
    s.on('error', () => {});
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    if (kind === 'huge') s.write(Buffer.concat([encodeHello({ role: 'publish', stream: `huge${Math.random().toString(36).slice(2, 8)}` }), header(MessageType.FRAME, 0xffffffff)]));
    const pump = setInterval(() => s.writable && s.write(junk), 5);
    await closed;
    clearInterval(pump);
    dropped++;
  }
  return dropped;
}

/** hostile is the hostile-peer section. */
export const hostile: Section = {
  name: 'core-hostile',
  async run() {
    const port = await freePort();
    const hub = camwire(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
    await waitForPort(port);
    const send = camwire(['send', 'testsrc', `tcp://127.0.0.1:${port}/b`, '--size', '1280x720', '--fps', '30']);
    const v = await protocolViewer(port, 'b');
    await sleep(1500);
    const rows: (string | number)[][] = [];
    const phase = async (name: string, kind?: 'garbage' | 'huge') => {
      const mark = v.seqs.length;
      const rss0 = rssMiB(hub.proc.pid!);
      let peak = rss0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(hub.proc.pid!))), 100);
      const until = Date.now() + PHASE_MS;
      const drops = kind ? await Promise.all(Array.from({ length: ATTACKERS }, () => attack(port, kind, until))) : [await sleep(PHASE_MS).then(() => 0)];
      clearInterval(sampler);
      rows.push([name, drops.reduce((a, b) => a + b, 0), rss0.toFixed(0), peak.toFixed(0), rssMiB(hub.proc.pid!).toFixed(0), pct(shareSince(v, mark))]);
    };
    await phase('no attack (baseline)');
    await phase(`${ATTACKERS} peers streaming garbage`, 'garbage');
    await phase(`${ATTACKERS} peers declaring 4 GiB frames`, 'huge');
    await phase(`${ATTACKERS} peers streaming garbage, again`, 'garbage');
    await phase('no attack again');
    v.socket.destroy();
    send.kill();
    hub.kill();
    return [
      `## Hostile peers: hub memory and a good 720p30 viewer, ${PHASE_MS / 1000} s per phase`,
      '',
      table(['phase', 'attacker connections dropped', 'hub RSS before (MiB)', 'hub RSS peak (MiB)', 'hub RSS after (MiB)', 'good viewer: share of frames'], rows),
    ].join('\n');
  },
};
