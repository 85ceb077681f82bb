/**
 * core-testsrc: CPU of the test-pattern source per stream, against the same-run cost of only
 * JPEG-encoding one pre-drawn frame at the same rate (what any in-process source must pay).
 */
import sharp from 'sharp';
import { Hub } from '../src/hub/hub.js';
import { Pattern } from '../src/sources/testsrc/pattern.js';
import { TestSource } from '../src/sources/testsrc/testsrc.js';
import { judge, cpuSampler, pct, table, type Section } from './section.js';
import { sleep } from '../src/util/sleep.js';

const SECONDS = 5;

async function patternCpu(width: number, height: number): Promise<[number, number]> {
  const hub = new Hub();
  const r = hub.read('t', { quietDrops: true });
  const src = new TestSource({ width, height, fps: 30, quality: 80 });
  await src.start(hub.publish('t'));
  await sleep(500);
  const frames0 = r.framesOut + r.dropped;
  const stop = cpuSampler();
  await sleep(SECONDS * 1000);
  const cpu = stop() / (SECONDS * 1000);
  const frames = r.framesOut + r.dropped - frames0;
  await src.close();
  return [cpu, frames / SECONDS];
}

async function encodeOnlyCpu(width: number, height: number): Promise<number> {
  const raw = new Pattern(width, height).draw(1, ['baseline']);
  const stop = cpuSampler();
  const t0 = performance.now();
  for (let i = 0; i < 30 * SECONDS; i++) {
    await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80, chromaSubsampling: '4:2:0', optimiseCoding: false }).toBuffer();
    const due = t0 + ((i + 1) * 1000) / 30;
    await sleep(Math.max(0, due - performance.now()));
  }
  return stop() / (SECONDS * 1000);
}

/** testsrc is the test-pattern CPU section. */
export const testsrc: Section = {
  name: 'core-testsrc',
  async run() {
    const rows: (string | number)[][] = [];
    let verdict = '';
    for (const [w, h] of [[640, 480], [1280, 720]]) {
      const base = await encodeOnlyCpu(w, h);
      const [cpu, fps] = await patternCpu(w, h);
      rows.push([`${w}x${h}`, pct(base), pct(cpu), fps.toFixed(1), (cpu / base).toFixed(2)]);
      if (w === 1280) verdict = judge({ target: 'Test pattern 1280x720@30 ≤ 25 % of a core', result: pct(cpu), baseline: `JPEG encode alone ${pct(base)}`, met: cpu <= 0.25 });
    }
    return [
      `## Test-pattern source CPU, 30 fps, ${SECONDS} s per row (share of one core)`,
      '',
      table(['size', 'JPEG encode only (baseline)', 'test pattern (draw + encode + pacing + publish)', 'fps achieved', 'ratio'], rows),
      '',
      verdict,
    ].join('\n');
  },
};
