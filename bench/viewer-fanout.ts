/**
 * fanout: one 720p30 stream to many headless viewers — 100 WebSocket viewers, 50 MJPEG-over-HTTP
 * clients — measuring the server's CPU (its own process) and the share of frames each viewer got.
 * Baseline in the same run: the same bytes broadcast by a bare server with no hub (viewer-worker
 * `bare` mode), which writes every frame to every socket and never skips.
 */
import { percentiles } from '../src/hub/stats.js';
import { judge, cpuSampler, pct, table, type Section } from './section.js';
import { sleep } from '../src/util/sleep.js';
import { mjpegClient, wsClient, type FanoutClient } from './viewer-fanout-clients.js';
import { startWorker } from './worker.js';

const STREAM = { name: 'cam', width: 1280, height: 720, fps: 30 };
/** NOISE 16: ~120 KB frames, the bitrate of a noisy real 720p30 webcam (~29 Mbit/s). */
const NOISE = 16;
const WARMUP_MS = 2000;
const MEASURE_MS = 10_000;
/** KEEPS_UP: a viewer "keeps up" when it got at least 99 % of the frames published. */
const KEEPS_UP = 0.99;

interface Variant {
  label: string;
  mode: 'camwire' | 'bare';
  client: (port: number) => FanoutClient;
}

/** lastFrameBytes: the frame size of the latest run, quoted in the section text. */
let lastFrameBytes = 0;

/** Measured: a table row and the figures the section judges its target from. */
interface Measured {
  row: (string | number)[];
  minShare: number;
  serverCpu: number;
  saturated: boolean;
}

/** SATURATED: clients in the bench process using this much of a core may be the bottleneck themselves. */
const SATURATED = 0.9;

async function measure(v: Variant, viewers: number): Promise<Measured> {
  const worker = await startWorker({ mode: v.mode, streams: [STREAM], quality: 80, noise: NOISE });
  lastFrameBytes = worker.frameBytes;
  const clients = Array.from({ length: viewers }, () => v.client(worker.port));
  try {
    await Promise.race([Promise.all(clients.map((c) => c.ready)), sleep(15_000)]);
    await sleep(WARMUP_MS);
    clients.forEach((c) => c.reset());
    const clientCpu = cpuSampler();
    await worker.mark();
    await sleep(MEASURE_MS);
    const rep = await worker.report();
    const got = clients.map((c) => c.received);
    const lat = clients.flatMap((c) => c.latencies);
    const published = rep.published[STREAM.name];
    const shares = got.map((n) => Math.min(1, n / published)).sort((a, b) => a - b);
    const [p50, p95] = percentiles(lat, [50, 95]);
    const clientsCpu = clientCpu() / rep.wallMs;
    // A saturated measuring process reports its own delay, not the server's: flag it.
    const flag = clientsCpu >= SATURATED ? ' (clients saturated)' : '';
    const row = [
      v.label,
      published,
      `${shares.filter((s) => s >= KEEPS_UP).length} / ${viewers}`,
      `${pct(shares[0])} / ${pct(shares[Math.floor(shares.length / 2)])}`,
      `${((rep.cpuMs / rep.wallMs) * 100).toFixed(0)} %`,
      `${(clientsCpu * 100).toFixed(0)} %${clientsCpu >= SATURATED ? ' SATURATED' : ''}`,
      p50.toFixed(1) + flag,
      p95.toFixed(1) + flag,
    ];
    return { row, minShare: shares[0], serverCpu: rep.cpuMs / rep.wallMs, saturated: clientsCpu >= SATURATED };
  } finally {
    clients.forEach((c) => c.close());
    await worker.stop();
  }
}

const HEAD = ['server', 'frames published', `viewers ≥ ${KEEPS_UP * 100} %`, 'frames per viewer (min / median)', 'server CPU (1 core = 100 %)', 'clients CPU', 'p50 ms', 'p95 ms'];

function fanoutSection(name: string, title: string, viewers: number, variants: Variant[]): Section {
  return {
    name,
    async run() {
      const got: Measured[] = [];
      for (const v of variants) got.push(await measure(v, viewers));
      const rows = got.map((g) => g.row);
      const base = got[0];
      const cw = got[1];
      const verdict = judge({
        target: `${title}: ≥ 99 % of frames to each viewer, hub ≤ 1 core`,
        result: `worst viewer ${pct(cw.minShare)}, hub ${pct(cw.serverCpu)} of a core${cw.saturated ? ' (measuring clients saturated: not the hub\'s figure)' : ''}`,
        baseline: `${variants[0].label.replace(' (baseline)', '')} ${pct(base.serverCpu)}`,
        met: cw.saturated ? null : cw.minShare >= 0.99 && cw.serverCpu <= 1,
      });
      return [
        `## ${title}`,
        '',
        `One ${STREAM.width}×${STREAM.height}@${STREAM.fps} JPEG stream (q80 with camera-like noise, ${Math.round(lastFrameBytes / 1024)} KiB per frame = ${((lastFrameBytes * 8 * STREAM.fps) / 1e6).toFixed(0)} Mbit/s, replayed), ${viewers} viewers in the bench process, server in its own process; ${WARMUP_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured. Latency: capture → received by the viewer.`,
        '',
        table(HEAD, rows),
        '',
        verdict,
      ].join('\n');
    },
  };
}

/** wsSection: 100 headless WebSocket viewers of one 720p30 stream. */
export const wsSection = fanoutSection('viewer-ws-fanout', '100 WebSocket viewers of one 720p30 stream', 100, [
  { label: 'bare ws broadcast (baseline)', mode: 'bare', client: (p) => wsClient(p, STREAM.name, false) },
  { label: 'camwire hub', mode: 'camwire', client: (p) => wsClient(p, STREAM.name, false) },
  { label: 'camwire hub, viewers ack', mode: 'camwire', client: (p) => wsClient(p, STREAM.name, true) },
]);

/** mjpegSection: 50 MJPEG-over-HTTP clients of one 720p30 stream. */
export const mjpegSection = fanoutSection('viewer-mjpeg-fanout', '50 MJPEG-over-HTTP clients of one 720p30 stream', 50, [
  { label: 'bare multipart broadcast (baseline)', mode: 'bare', client: (p) => mjpegClient(p, STREAM.name) },
  { label: 'camwire hub', mode: 'camwire', client: (p) => mjpegClient(p, STREAM.name) },
]);
