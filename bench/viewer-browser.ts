/**
 * viewer-browser: capture→drawn latency and frame rate measured inside headless Chromium, for
 * the camwire viewer page (hub → WebSocket → newest-only decode → canvas) and, in the same run,
 * for a bare page fed by a bare `ws` broadcast of the same JPEG bytes (bench/bare-page.ts).
 * H.264 (WebCodecs VideoDecoder) runs through the camwire viewer only, next to MJPEG of the same
 * size in the same run: the bare page decodes JPEG only.
 */
import type { Codec } from '../src/frame/frame.js';
import { percentiles } from '../src/hub/stats.js';
import { hasChromium, launchBrowser } from '../support/browser.js';
import { judge, pct, table, type Section } from './section.js';
import { sleep } from '../src/util/sleep.js';
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
  /** barePath: the bare page's path, or undefined for no bare run (H.264). */
  barePath?: string;
  codec: Codec;
}

const SCENARIOS: Scenario[] = [
  {
    title: '1 tile 1280×720@30',
    streams: [{ name: 'cam00', width: 1280, height: 720, fps: 30 }],
    viewport: { width: 1280, height: 800 },
    camwirePath: '/?stream=cam00',
    barePath: '/?single',
    codec: 'mjpeg',
  },
  {
    title: '1 tile 1280×720@30 H.264',
    streams: [{ name: 'cam00', width: 1280, height: 720, fps: 30 }],
    viewport: { width: 1280, height: 800 },
    camwirePath: '/?stream=cam00',
    codec: 'h264',
  },
  {
    title: '16 tiles 640×480@30',
    streams: Array.from({ length: 16 }, (_, i) => ({ name: `cam${String(i).padStart(2, '0')}`, width: 640, height: 480, fps: 30 })),
    viewport: { width: 1920, height: 1080 },
    camwirePath: '/',
    barePath: '/',
    codec: 'mjpeg',
  },
];

interface Result {
  minFps: number;
  medianFps: number;
  p50: number;
  p95: number;
  p99: number;
  drawnShare: number;
  /** frameBytes: mean payload size of the stream's frames. */
  frameBytes: number;
}

async function measure(sc: Scenario, mode: 'camwire' | 'bare'): Promise<Result> {
  const worker = await startWorker({ mode, streams: sc.streams, quality: 80, noise: NOISE, codec: sc.codec });
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
    return { minFps: fps[0], medianFps: fps[Math.floor(fps.length / 2)], p50, p95, p99, drawnShare: got.reduce((a, s) => a + s.drawn, 0) / published, frameBytes: worker.frameBytes };
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
    const f = (x: number) => x.toFixed(1);
    let mjpeg720: Result | undefined;
    for (const sc of SCENARIOS) {
      const bare = sc.barePath === undefined ? undefined : await measure(sc, 'bare');
      const cw = await measure(sc, 'camwire');
      const kb = (cw.frameBytes / 1024).toFixed(0);
      if (bare) rows.push([sc.title, 'bare ws page (baseline)', `${f(bare.minFps)} / ${f(bare.medianFps)}`, f(bare.p50), f(bare.p95), f(bare.p99), pct(bare.drawnShare), kb]);
      rows.push([sc.title, 'camwire viewer', `${f(cw.minFps)} / ${f(cw.medianFps)}`, f(cw.p50), f(cw.p95), f(cw.p99), pct(cw.drawnShare), kb]);
      if (bare) verdicts.push(`${sc.title}: camwire p95 ${f(cw.p95)} ms = ${(cw.p95 / bare.p95).toFixed(2)}× the bare page; slowest tile ${f(cw.minFps)} fps (bare ${f(bare.minFps)}).`);
      if (sc.codec === 'mjpeg' && sc.streams.length === 1) mjpeg720 = cw;
      const base = bare ? `bare ws page p95 ${f(bare.p95)} ms, slowest tile ${f(bare.minFps)} fps` : '';
      if (sc.codec === 'mjpeg' && sc.streams.length === 1) judge({ target: `Browser: p95 capture→drawn ≤ 30 ms, ${sc.title}`, result: `${f(cw.p95)} ms`, baseline: base, met: cw.p95 <= 30 });
      if (sc.streams.length >= 16) judge({ target: `Browser: ${sc.title}, each tile ≥ 25 fps`, result: `slowest tile ${f(cw.minFps)} fps (p50 ${f(cw.p50)} ms)`, baseline: base, met: cw.minFps >= 25 });
      if (sc.codec === 'h264' && mjpeg720) {
        verdicts.push(`${sc.title}: p50 ${f(cw.p50)} ms, p95 ${f(cw.p95)} ms = ${(cw.p50 / mjpeg720.p50).toFixed(2)}× / ${(cw.p95 / mjpeg720.p95).toFixed(2)}× MJPEG 720p in the same run, at ${(cw.frameBytes / mjpeg720.frameBytes * 100).toFixed(0)} % of its bytes per frame.`);
      }
    }
    return [
      head,
      '',
      `Replayed JPEG q80 frames with camera-like noise (pre-encoded, so the source costs nothing), hub in a child process, ${WARMUP_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured. Latency = page wall clock when drawImage returned − capture time. H.264: the same noisy pattern encoded once by x264 with camwire's live settings (ultrafast, zerolatency, 1 s GOP, 4 Mbit/s cap) and replayed with fresh capture times, so encoding is excluded; decoded by WebCodecs' VideoDecoder (software in headless Chromium, --disable-gpu).`,
      '',
      table(['scenario', 'viewer', 'fps per tile (min / median)', 'p50 ms', 'p95 ms', 'p99 ms', 'frames drawn', 'KiB per frame'], rows),
      '',
      ...verdicts.map((v) => `- ${v}`),
    ].join('\n');
  },
};
