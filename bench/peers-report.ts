/**
 * peers-report: the peers benchmarks' shared parts — the table columns, one row from a
 * Measurement, the slow client (reads one chunk a second) and the verdict on what it did to the
 * measured client, judged from the two runs' own figures.
 */
import type { Socket } from 'node:net';
import { rawConnect } from '../support/net.js';
import type { Measurement } from './peers-measure.js';
import { protocolViewer, trickle } from './viewer.js';
import { ms } from './section.js';

/** PEER_HEAD: the columns of every peers table. */
export const PEER_HEAD = ['system', 'pictures read (unreadable)', 'fps', 'p50 ms', 'p95 ms', 'p99 ms', 'Mbit/s read by the client', 'CPU, % of one core per process', 'measuring client', 'with one slow client'];

const pct0 = (x: number) => `${(x * 100).toFixed(0)}`;

/** peerRow renders a measured pipeline; a saturated client's latency is flagged, not reported as the system's. */
export function peerRow(name: string, m: Measurement, slow: string): (string | number)[] {
  if (m.error) return [name, '-', '-', '-', '-', '-', '-', '-', '-', `failed: ${m.error.slice(0, 120)}`];
  const flag = m.saturated ? ' (client saturated)' : '';
  return [
    name,
    `${m.framesRead} (${m.unreadable})`,
    m.fps.toFixed(1),
    ms(m.p50) + flag,
    ms(m.p95) + flag,
    ms(m.p99) + flag,
    m.mbps.toFixed(1),
    m.cpu.filter((c) => c.name !== 'measuring client').map((c) => `${c.name} ${pct0(c.share)}`).join(', '),
    `${pct0(m.clientCpu)} %${m.saturated ? ' SATURATED' : ''}`,
    slow,
  ];
}

/**
 * slowClient attaches one client that reads a single chunk (≤ 64 KiB) a second: a camwire viewer
 * of `stream` when given, else a raw TCP reader (optionally sending `request` first, e.g. an HTTP
 * GET). Returns the function that closes it.
 */
export async function slowClient(port: number, stream?: string, request?: string): Promise<() => void> {
  let socket: Socket;
  if (stream !== undefined) socket = (await protocolViewer(port, stream)).socket;
  else {
    socket = await rawConnect(port);
    socket.on('error', () => {});
    if (request) socket.write(request);
  }
  trickle(socket);
  return () => socket.destroy();
}

/**
 * slowVerdict compares the measured client with and without a slow client beside it: it "keeps
 * pace" when it still gets ≥ 95 % of its frames and its p95 grows by less than half (plus 5 ms
 * of noise); otherwise it "stalls" (fewer frames) or "queues" (later frames).
 */
export function slowVerdict(alone: Measurement, slow: Measurement | undefined): string {
  if (!slow) return 'n/a (one receiver per pipeline)';
  if (slow.error || slow.p95 === null || alone.p95 === null) return `failed: ${(slow.error ?? 'no readable picture').slice(0, 80)}`;
  const fps = slow.fps / Math.max(0.001, alone.fps);
  const lat = `p95 ${ms(alone.p95)} → ${ms(slow.p95)} ms, fps ${alone.fps.toFixed(1)} → ${slow.fps.toFixed(1)}`;
  if (fps < 0.95) return `stalls (${lat})`;
  if (slow.p95 > alone.p95 * 1.5 + 5) return `queues (${lat})`;
  return `keeps pace (${lat})`;
}
