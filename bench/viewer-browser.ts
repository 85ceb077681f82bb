/**
 * viewer-browser: capture→drawn latency and frame rate measured inside headless Chromium, for
 * the camwire viewer page (hub → WebSocket → newest-only decode → canvas) and, in the same run,
 * for a bare page fed by a bare `ws` broadcast of the same JPEG bytes (bench/bare-page.ts).
 */
import { percentiles } from '../src/hub/stats.js';
import { hasChromium, launchBrowser } from '../test/helpers/browser.js';
import { pct, sleep, table, type Section } from './section.js';
import type { StreamSpec } from './viewer-worker.js';
import { startWorker } from './worker.js';

const WARMUP_MS = 3000;
const MEASURE_MS = 10_000;
/** NOISE 16: camera-like JPEG sizes (the flat test pattern alone decodes unrealistically fast). */
const NOISE = 16;

interface Scenario {
  title: string;
  streams: StreamSpec[];
  viewport: { width: number; height: number };
  /** page paths for the camwire viewer and the bare page */
  camwirePath: string;
  barePath: string;
}

const SCENARIOS: Scenario[] = [
  {
    title: '1 tile 1280×720@30',
    streams: [{ name: 'cam00', width: 1280, height: 720, fps: 30 }],
    viewport: { width: 1280, height: 800 },
    camwirePath: '/?stream=cam00',
    barePath: '/?single',
  },
  {
    title: '16 tiles 640×480@30',
    streams: Array.from({ length: 16 }, (_, i) => ({ name: `cam${String(i).padStart(2, '0')}`, width: 640, height: 480, fps: 30 })),
    viewport: { width: 1920, height: 1080 },
    camwirePath: '/',
    barePath: '/',
  },
];

interface Result {
  minFps: number;
  medianFps: number;
  p50: number;
  p95: number;
  p99: number;
  drawnShare: number;
}

async function measure(sc: Scenario, mode: 'camwire' | 'bare'): Promise<Result> {
  const worker = await startWorker({ mode, streams: sc.streams, quality: 80, noise: NOISE });
  const browser = await launchBrowser(sc.viewport);
  try {
    const page = await browser.newPage();
    await page.goto(worker.base + (mode === 'camwire' ? sc.camwirePath : sc.barePath));
    const n = sc.streams.length;
    await page.waitForFunction((k) => Object.values((window as any).camwire.streams).filter((s: any) => s.drawn > 0).length >= k, n, { timeout: 20_000 });
    await sleep(WARMUP_MS);
    await page.evaluate(() => (window as any).camwire.reset());
    await worker.mark();
    await sleep(MEASURE_MS);
    const rep = await worker.report();
    const got = (await page.evaluate(() => Object.entries((window as any).camwire.streams).map(([name, s]: [string, any]) => ({ name, drawn: s.drawn, latencies: s.latencies })))) as { name: string; drawn: number; latencies: number[] }[];
    const fps = got.map((s) => s.drawn / (rep.wallMs / 1000)).sort((a, b) => a - b);
    const [p50, p95, p99] = percentiles(got.flatMap((s) => s.latencies), [50, 95, 99]);
    const published = Object.values(rep.published).reduce((a, b) => a + b, 0);
    return { minFps: fps[0], medianFps: fps[Math.floor(fps.length / 2)], p50, p95, p99, drawnShare: got.reduce((a, s) => a + s.drawn, 0) / published };
  } finally {
    await browser.close();
    await worker.stop();
  }
}

/** section is the browser viewer benchmark. */
export const section: Section = {
  name: 'viewer-browser',
  async run() {
    const head = '## Browser viewer: capture → drawn in headless Chromium';
    if (!hasChromium()) return `${head}\n\nskipped: no Chromium at /usr/bin/chromium`;
    const rows: (string | number)[][] = [];
    const verdicts: string[] = [];
    for (const sc of SCENARIOS) {
      const bare = await measure(sc, 'bare');
      const cw = await measure(sc, 'camwire');
      const f = (x: number) => x.toFixed(1);
      for (const [name, r] of [['bare ws page (baseline)', bare], ['camwire viewer', cw]] as const) {
        rows.push([sc.title, name, `${f(r.minFps)} / ${f(r.medianFps)}`, f(r.p50), f(r.p95), f(r.p99), pct(r.drawnShare)]);
      }
      verdicts.push(`${sc.title}: camwire p95 ${f(cw.p95)} ms = ${(cw.p95 / bare.p95).toFixed(2)}× the bare page; slowest tile ${f(cw.minFps)} fps (bare ${f(bare.minFps)}).`);
    }
    return [
      head,
      '',
      `Replayed JPEG q80 frames with camera-like noise (pre-encoded, so the source costs nothing), hub in a child process, ${WARMUP_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured. Latency = page wall clock when drawImage returned − capture time.`,
      '',
      table(['scenario', 'viewer', 'fps per tile (min / median)', 'p50 ms', 'p95 ms', 'p99 ms', 'frames drawn'], rows),
      '',
      ...verdicts.map((v) => `- ${v}`),
    ].join('\n');
  },
};
