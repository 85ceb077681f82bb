/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, afterEach, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { isJpeg } from '../../src/codecs/jpeg.js';
import { canvasHash, hasChromium, launchBrowser, requireChromium, tile, type Browser } from '../../support/browser.js';
import { renderFrames, Replay } from '../../support/replay.js';
import { startTestHub, type TestHub } from '../helpers/streams.js';

/** SCREENSHOT is where the README's picture lives; CAMWIRE_UPDATE_SCREENSHOT=1 rewrites it. */
const SCREENSHOT = fileURLToPath(new URL('../../../docs/img/viewer.png', import.meta.url));

async function waitState(page: Page, name: string, state: string, timeout = 8000): Promise<void> {
  await page.waitForSelector(`${tile(name)}[data-state="${state}"]`, { timeout });
}

describe('browser viewer (headless Chromium)', () => {
  let browser: Browser | undefined;
  let h: TestHub;
  let pages: Page[] = [];

  before(async () => {
    h = await startTestHub();
    if (hasChromium()) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h.close();
  });
  // A page left open by a failed test would subscribe to the next test's streams.
  afterEach(async () => {
    for (const p of pages) await p.close();
    pages = [];
    await h.endAll();
  });

  /** open loads the viewer in a new page (or skips / fails without Chromium). */
  async function open(t: TestContext, path = '/'): Promise<Page | undefined> {
    if (!requireChromium(t)) return undefined;
    const page = await browser!.newPage();
    pages.push(page);
    await page.goto(h.base + path);
    return page;
  }

  it('shows the empty state with the command that publishes a stream', async (t) => {
    const page = await open(t);
    if (!page) return;
    const text = await page.locator('.empty').innerText();
    assert.match(text, /No streams yet/);
    assert.ok(text.includes(`camwire send testsrc tcp://127.0.0.1:${h.server.tcp!.port}/NAME`), text);
  });

  it('shows a tile per stream whose pictures keep changing, with a latency figure taken from its own measurements', async (t) => {
    const a = await h.publish('alpha');
    const b = await h.publish('beta', { width: 176, height: 144 });
    const page = await open(t);
    if (!page) return;
    await waitState(page, 'alpha', 'live');
    await waitState(page, 'beta', 'live');
    assert.equal(await page.locator('.tile').count(), 2);
    const before = [await canvasHash(page, 'alpha'), await canvasHash(page, 'beta')];
    await page.waitForTimeout(600);
    assert.notEqual(await canvasHash(page, 'alpha'), before[0], 'alpha changed');
    assert.notEqual(await canvasHash(page, 'beta'), before[1], 'beta changed');
    assert.equal(await page.locator(`${tile('beta')} .res`).innerText(), '176×144');
    await page.waitForFunction((sel) => document.querySelector(sel)!.textContent !== '', `${tile('beta')} .rate`);
    assert.match(await page.locator(`${tile('beta')} .fps`).innerText(), /^\d+ fps$/);
    assert.match(await page.locator(`${tile('beta')} .rate`).innerText(), /^\d+(\.\d)? [kM]bit\/s$/);
    // The on-screen figure is the mean capture→drawn latency of the last window, in ms: it must
    // lie within the page's own per-frame measurements (a unit slip — µs shown as ms — or a
    // figure not fed by real frames falls outside). How fast is bench's business, not a test's.
    const sel = `${tile('alpha')} .lat`;
    await page.waitForFunction((q) => document.querySelector<HTMLElement>(q)!.dataset.latencyMs !== undefined, sel);
    const { text, shown, samples } = await page.evaluate((q) => {
      const el = document.querySelector<HTMLElement>(q)!;
      const w = window as unknown as { camwire: { streams: Record<string, { latencies: number[] }> } };
      return { text: el.textContent ?? '', shown: Number(el.dataset.latencyMs), samples: [...w.camwire.streams.alpha.latencies] };
    }, sel);
    assert.ok(samples.length > 0, 'the page measured frames');
    assert.equal(text, `${Math.round(shown)} ms`);
    const [lo, hi] = [Math.min(...samples), Math.max(...samples)];
    assert.ok(lo > -5, `no sample before its capture (${lo} ms): both clocks are this host's`);
    assert.ok(shown >= lo - 0.05 && shown <= hi + 0.05, `figure ${shown} ms within the measured ${lo}…${hi} ms`);
  });

  it('shows "no signal" when a publisher drops or stalls, and recovers when it returns', async (t) => {
    const s = await h.publish('cam');
    const page = await open(t);
    if (!page) return;
    await waitState(page, 'cam', 'live');
    // The connection drops: the hub reports the stream without publisher.
    await s.drop();
    await waitState(page, 'cam', 'nosignal');
    assert.match(await page.locator(`${tile('cam')} .notice`).innerText(), /No signal/);
    const back = await h.publish('cam');
    await waitState(page, 'cam', 'live');
    // The publisher stays but sends nothing: the page notices the stall by itself.
    await back.source.close();
    await waitState(page, 'cam', 'nosignal');
    const { TestSource } = await import('../../src/sources/testsrc/testsrc.js');
    const again = new TestSource({ width: 160, height: 120, fps: 15, quality: 60 });
    await again.start(back.pub);
    await waitState(page, 'cam', 'live');
    // A clean end: the tile says so; a stream that comes back at once revives it; one that
    // does not leaves the grid.
    await again.close();
    back.pub.end();
    await waitState(page, 'cam', 'ended');
    const third = await h.publish('cam');
    await waitState(page, 'cam', 'live');
    await third.stop();
    await waitState(page, 'cam', 'ended');
    await page.waitForSelector(tile('cam'), { state: 'detached', timeout: 10000 });
  });

  it('keeps 16 streams on one page updating over one WebSocket', async (t) => {
    if (!requireChromium(t)) return;
    const frames = await renderFrames({ width: 160, height: 120, fps: 10, quality: 60 }, 10, 'grid');
    const grid = Array.from({ length: 16 }, (_, i) => h.server.hub.publish(`grid${String(i).padStart(2, '0')}`, 'test'));
    const replays = grid.map((p) => new Replay(p, frames, 10).start());
    const page = await open(t);
    try {
      await page!.waitForFunction(() => document.querySelectorAll('.tile[data-state="live"]').length === 16, null, { timeout: 15000 }).catch(async (e) => {
        console.log(await page!.evaluate(() => [...document.querySelectorAll('.tile')].map((t) => t.getAttribute('data-stream') + ':' + t.getAttribute('data-state')).join(' ')));
        throw e;
      });
      const drawn = () => page!.evaluate(() => Object.entries((window as any).camwire.streams).filter(([k]) => k.startsWith('grid')).map(([, v]) => (v as { drawn: number }).drawn));
      const first = await drawn();
      await page!.waitForTimeout(2000);
      const second = await drawn();
      assert.equal(second.length, 16);
      second.forEach((n, i) => assert.ok(n - first[i] >= 5, `tile ${i} drew ${n - first[i]} frames in 2 s`));
      const sockets = h.server.hub.stats().filter((s) => s.name.startsWith('grid')).map((s) => s.readers.length);
      assert.deepEqual(sockets, Array(16).fill(1), 'one reader per stream: one page, one socket');
    } finally {
      replays.forEach((r) => r.stop());
      grid.forEach((p) => p.end());
    }
  });

  it('opens a large view with the keyboard, subscribes to that stream only, and returns with Esc', async (t) => {
    const a = await h.publish('k1');
    const b = await h.publish('k2');
    const page = await open(t);
    if (!page) return;
    await waitState(page, 'k2', 'live');
    await page.locator(`${tile('k1')} button.screen`).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('.tile')?.getAttribute('data-stream')), 'k2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('body.focused .tile.is-focused[data-stream="k2"]');
    assert.equal(new URL(page.url()).hash, '#k2');
    assert.equal(await page.locator(`${tile('k1')}`).isVisible(), false);
    const readers = (n: string) => h.server.hub.get(n)!.stats().readers.length;
    await page.waitForFunction(() => true);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(readers('k1'), 0, 'the hidden stream is not sent');
    assert.equal(readers('k2'), 1);
    await page.keyboard.press('Escape');
    await page.waitForSelector('body:not(.focused)');
    assert.equal(await page.locator(`${tile('k1')}`).isVisible(), true);
  });

  it('saves the frame on screen as a JPEG from the snapshot button', async (t) => {
    const s = await h.publish('snap');
    const page = await open(t);
    if (!page) return;
    await waitState(page, 'snap', 'live');
    await page.hover(tile('snap'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${tile('snap')} button.snap`)]);
    assert.match(download.suggestedFilename(), /^snap_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.jpg$/);
    const path = join(tmpdir(), `camwire-snap-${process.pid}.jpg`);
    await download.saveAs(path);
    assert.ok(isJpeg(readFileSync(path)));
  });

  it('takes the README screenshot: several test-pattern streams, one without signal', async (t) => {
    if (!requireChromium(t)) return;
    const names = ['lobby', 'lab', 'yard/cam1', 'yard/cam2', 'garage', 'roof'];
    const streams = [];
    for (const n of names) streams.push(await h.publish(n, { width: 640, height: 360, fps: 10, quality: 75 }));
    const page = (await open(t))!;
    await page.setViewportSize({ width: 1280, height: 720 });
    for (const n of names) await waitState(page, n, 'live');
    await streams[5].drop(); // roof: a camera that went away
    await waitState(page, 'roof', 'nosignal');
    await page.waitForTimeout(1200); // let fps and bitrate settle
    const update = process.env.CAMWIRE_UPDATE_SCREENSHOT === '1';
    if (update) mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    const png = await page.screenshot({ path: update ? SCREENSHOT : join(tmpdir(), `camwire-viewer-${process.pid}.png`) });
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  });
});
