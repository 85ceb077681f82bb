// Builds the browser viewer: type-checks web/ (tsc, DOM types), bundles web/main.ts with esbuild
// into dist/web/app.js, and copies index.html and the stylesheet. No CDN: everything the page
// needs is in dist/web, so the viewer works offline.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const out = 'dist/web';
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const check = spawnSync(process.execPath, [tsc, '-p', 'web/tsconfig.json'], { stdio: 'inherit' });
if (check.status !== 0) process.exit(check.status ?? 1);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['web/main.ts'],
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  outfile: `${out}/app.js`,
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('web/index.html', `${out}/index.html`);
// hls.js for the HLS fallback (web/hls-fallback.ts), loaded by the page only where WebCodecs is missing.
copyFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.light.min.js'), `${out}/hls-light.js`);
copyFileSync('web/style.css', `${out}/app.css`);
