/**
 * core-fanout: one 1280x720@30 stream from `camwire send` through a `camwire serve` process to
 * N fast TCP viewers plus 5 deliberately slow ones (they read a little once a second). Reports
 * the hub's CPU and what fraction of frames each fast viewer got; the bare relay with the same
 * number of viewers is the same-run baseline.
 */
import type { Socket } from 'node:net';
import { lengthPrefixed } from './length-prefixed.js';
import { freePort, rawConnect, waitForPort } from '../support/net.js';
import { bare, camwire, oneHostConfig, type Child } from './procs.js';
import { protocolViewer, shareSince, trickle, type BenchViewer } from './viewer.js';
import { judge, pct, procCpuMs, table, type Section } from './section.js';
import { sleep } from '../src/util/sleep.js';

const WARMUP_MS = 1500;
const MEASURE_MS = 6000;

async function camwireViewer(port: number, slow: boolean): Promise<BenchViewer> {
  const v = await protocolViewer(port, 'b');
  if (slow) trickle(v.socket);
  return v;
}

async function bareViewer(port: number): Promise<BenchViewer> {
  const socket = await rawConnect(port);
  const v: BenchViewer = { seqs: [], socket };
  let n = 0;
  socket.on('data', lengthPrefixed(() => v.seqs.push(n++)));
  socket.write('V');
  return v;
}

async function measure(server: Child, viewers: BenchViewer[], slow: BenchViewer[]) {
  await sleep(WARMUP_MS);
  const marks = viewers.map((v) => v.seqs.length);
  const slowMarks = slow.map((v) => v.seqs.length);
  const cpu0 = procCpuMs(server.proc.pid!);
  await sleep(MEASURE_MS);
  const cpu = (procCpuMs(server.proc.pid!) - cpu0) / MEASURE_MS;
  // A viewer's share: frames received / frames in the sequence range it covered.
  const shares = viewers.map((v, i) => shareSince(v, marks[i]));
  const frames = viewers.map((v, i) => v.seqs.length - marks[i]);
  const slowFrames = slow.map((v, i) => v.seqs.length - slowMarks[i]);
  for (const v of [...viewers, ...slow]) v.socket.destroy();
  return { cpu, minShare: Math.min(...shares), meanFrames: frames.reduce((a, b) => a + b, 0) / frames.length, slowFrames: slowFrames.length ? Math.max(...slowFrames) : 0 };
}

/** fanout is the fan-out section. */
export const fanout: Section = {
  name: 'core-fanout',
  async run() {
    const rows: (string | number)[][] = [];
    const cases: [number, number][] = [[1, 5], [10, 5], [100, 0], [100, 5]];
    const port = await freePort();
    const hub = camwire(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1', '--config', oneHostConfig()]);
    await waitForPort(port);
    const send = camwire(['send', 'testsrc', `tcp://127.0.0.1:${port}/b`, '--size', '1280x720', '--fps', '30']);
    const at100: { cpu: number; minShare: number }[] = [];
    for (const [n, nslow] of cases) {
      const fast = await Promise.all(Array.from({ length: n }, () => camwireViewer(port, false)));
      const slow = await Promise.all(Array.from({ length: nslow }, () => camwireViewer(port, true)));
      const r = await measure(hub, fast, slow);
      rows.push([`camwire hub`, n, nslow, pct(r.cpu), pct(r.minShare), r.meanFrames.toFixed(0), r.slowFrames]);
      if (n === 100) at100[nslow] = r;
      await sleep(500);
    }
    send.kill();
    hub.kill();

    const bport = await freePort();
    const relay = bare(['relay', String(bport)]);
    await relay.ready(/ready/);
    const bsend = bare(['send', String(bport), '1280x720', '30']);
    const bviewers = await Promise.all(Array.from({ length: 100 }, () => bareViewer(bport)));
    const b = await measure(relay, bviewers, []);
    rows.push(['bare relay (baseline)', 100, 0, pct(b.cpu), pct(b.minShare), b.meanFrames.toFixed(0), '-']);
    bsend.kill();
    relay.kill();
    return [
      `## Fan-out: one 1280x720@30 stream, ${MEASURE_MS / 1000} s measured per row`,
      '',
      table(['server', 'fast viewers', 'slow viewers', 'server CPU (of one core)', 'worst fast viewer: share of frames', 'frames per fast viewer', 'frames to the fastest slow viewer (reads ~64 KiB/s)'], rows),
      '',
      judge({
        target: 'TCP: 100 viewers of 720p30 get ≥ 99 % each, hub ≤ 1 core, 5 slow viewers change neither',
        result: `worst fast viewer ${pct(at100[5].minShare)} (${pct(at100[0].minShare)} without the slow ones), hub ${pct(at100[5].cpu)} of a core (${pct(at100[0].cpu)} without)`,
        baseline: `bare relay ${pct(b.cpu)} (hub ${(at100[0].cpu / b.cpu).toFixed(2)}×)`,
        // "Change neither": still ≥ 99 % with them, and the hub's CPU within 2 points of a core or 25 % of its own.
        met: at100[5].minShare >= 0.99 && at100[0].minShare >= 0.99 && at100[5].cpu <= 1 && at100[5].cpu - at100[0].cpu <= Math.max(0.02, at100[0].cpu * 0.25),
      }),
    ].join('\n');
  },
};
