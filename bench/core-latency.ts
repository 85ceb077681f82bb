/**
 * core-latency: capture→received latency through send → serve → view on loopback, each a
 * separate process, against the bare-socket relay baseline (bench/bare.ts) in the same run.
 */
import { freePort, waitForPort } from '../support/net.js';
import { bare, camwire } from './procs.js';
import { judge, ms, table, type Section } from './section.js';
import { sleep } from '../src/util/sleep.js';

const SECONDS = 8;
const SIZES = ['640x480', '1280x720'];

async function viaHub(size: string): Promise<number[]> {
  const port = await freePort();
  const hub = camwire(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  await waitForPort(port);
  const send = camwire(['send', 'testsrc', `tcp://127.0.0.1:${port}/b`, '--size', size, '--fps', '30']);
  await sleep(1000);
  const view = camwire(['view', `tcp://127.0.0.1:${port}/b`, '--seconds', String(SECONDS), '--json']);
  const lines = (await view.exit()).trim().split('\n');
  send.kill();
  hub.kill();
  const s = JSON.parse(lines[lines.length - 1]);
  return [s.frames, s.latencyP50Ms, s.latencyP95Ms, s.latencyP99Ms];
}

async function viaBare(size: string): Promise<number[]> {
  const port = await freePort();
  const relay = bare(['relay', String(port)]);
  await relay.ready(/ready/);
  const send = bare(['send', String(port), size, '30']);
  await sleep(1000);
  const recv = bare(['recv', String(port), String(SECONDS)]);
  const s = JSON.parse((await recv.exit()).trim());
  send.kill();
  relay.kill();
  return [s.frames, s.p50, s.p95, s.p99];
}

/** latency is the capture→received section. */
export const latency: Section = {
  name: 'core-latency',
  async run() {
    const rows: (string | number)[][] = [];
    let verdict = '';
    for (const size of SIZES) {
      const base = await viaBare(size);
      const hub = await viaHub(size);
      rows.push([size, 'bare socket relay (baseline)', base[0], ms(base[1]), ms(base[2]), ms(base[3]), '1.00']);
      rows.push([size, 'camwire send → serve → view', hub[0], ms(hub[1]), ms(hub[2]), ms(hub[3]), (hub[2] / base[2]).toFixed(2)]);
      if (size === '1280x720') verdict = judge({ target: 'TCP: p95 capture→received ≤ 15 ms at 1280×720@30 through the hub (encode included)', result: `${ms(hub[2])} ms (p50 ${ms(hub[1])})`, baseline: `bare Node relay ${ms(base[2])} ms (${(hub[2] / base[2]).toFixed(2)}×)`, met: hub[2] <= 15 });
    }
    return [
      `## Capture→received latency, 30 fps, ${SECONDS} s per row (ms; JPEG encode included)`,
      '',
      table(['size', 'path', 'frames', 'p50', 'p95', 'p99', 'p95 / baseline'], rows),
      '',
      verdict,
    ].join('\n');
  },
};
