/// <reference lib="dom" />
/**
 * browser: headless Chromium for tests and benchmarks, through playwright-core and the system
 * browser (/usr/bin/chromium; never downloaded). Under CI=true a missing browser is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** CHROMIUM is the system browser the tests drive. */
export const CHROMIUM = process.env.CAMWIRE_CHROMIUM ?? '/usr/bin/chromium';

/** CHROMIUM_ARGS: headless, no sandbox (containers), and nothing that talks to the internet. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Browser is a running Chromium with a fresh profile; close() removes the profile. */
export interface Browser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** hasChromium tells whether the system browser is there. */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** requireChromium returns true if Chromium exists; otherwise fails under CI and skips elsewhere. */
export function requireChromium(t: TestContext): boolean {
  if (hasChromium()) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium is required under CI=true but ${CHROMIUM} does not exist (.ci/run installs it)`);
  t.skip(`${CHROMIUM} not installed`);
  return false;
}

/** launchBrowser starts Chromium with a fresh --user-data-dir in a temp dir. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }, extra: { args?: string[]; ignoreHTTPSErrors?: boolean } = {}): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(extra.args ?? [])],
    viewport,
    ignoreHTTPSErrors: extra.ignoreHTTPSErrors,
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
      return page;
    },
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** tile is the CSS selector of the viewer tile showing stream `name`. */
export const tile = (name: string) => `.tile[data-stream="${name}"]`;

/** canvasHash samples a viewer tile's canvas pixels, so a test can tell whether the picture changed. */
export function canvasHash(page: Page, name: string): Promise<number> {
  return page.evaluate((sel) => {
    const c = document.querySelector<HTMLCanvasElement>(`${sel} canvas`)!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
    return h;
  }, tile(name));
}
