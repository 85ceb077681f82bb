/**
 * run: `npm run bench [-- NAME...]` runs every benchmark section (or the named ones) in turn and
 * prints their markdown; docs/benchmarks.md quotes a run.
 */
import type { Section } from './section.js';

const SECTIONS: (() => Promise<Section>)[] = [
  () => import('./viewer-browser.js').then((m) => m.section),
  () => import('./fanout.js').then((m) => m.wsSection),
  () => import('./fanout.js').then((m) => m.mjpegSection),
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
