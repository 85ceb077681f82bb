/**
 * run: `npm run bench [-- NAME...]` runs every benchmark section (or the named ones) in turn and
 * prints their markdown; docs/benchmarks.md quotes a run.
 */
import type { Section } from './section.js';

const SECTIONS: (() => Promise<Section>)[] = [
  async () => (await import('./core-testsrc.js')).testsrc,
  async () => (await import('./core-latency.js')).latency,
  async () => (await import('./core-fanout.js')).fanout,
  async () => (await import('./core-hostile.js')).hostile,
  async () => (await import('./ffmpeg.js')).ffmpeg,
  async () => (await import('./udp.js')).section,
  async () => (await import('./attack-udp.js')).section,
  async () => (await import('./viewer-browser.js')).section,
  async () => (await import('./viewer-fanout.js')).wsSection,
  async () => (await import('./viewer-fanout.js')).mjpegSection,
  async () => (await import('./attack-http.js')).section,
  async () => (await import('./seeds.js')).section,
  async () => (await import('./seeds.js')).fuzzSection,
  async () => (await import('./record.js')).section,
  async () => (await import('./motion.js')).section,
];

const only = process.argv.slice(2);
const out: string[] = [`# camwire benchmarks — ${new Date().toISOString()}, node ${process.version}`];
for (const load of SECTIONS) {
  const s = await load();
  if (only.length && !only.some((o) => s.name.includes(o))) continue;
  process.stderr.write(`running ${s.name}…\n`);
  out.push(await s.run());
  process.stdout.write(out[out.length - 1] + '\n\n');
}
process.exit(0);
