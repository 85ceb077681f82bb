/// <reference lib="dom" />
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startHub, type HubServer } from '../../src/api/hub-server.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { setLogLevel } from '../../src/util/logger.js';
import { hasChromium, launchBrowser, requireChromium, tile, type Browser } from '../../support/browser.js';
import { h264Frames } from '../../support/h264.js';
import { ffprobeFrames, tempDir } from '../../support/media.js';
import { FRAME_US, publishTimed, recorderOptions } from '../helpers/recordings.js';
import { requireTool } from '../helpers/tools.js';

setLogLevel('error');

/**
 * Each picture says which frame it is: bit b of its number is the brightness of the b-th 32-pixel
 * column (white = 1), large flat blocks that H.264 keeps, so the page's picture tells the test its moment.
 */
const NUMBERED = "color=c=black:size=320x240:rate=30,format=gray,geq=lum='255*mod(floor(N/pow(2,floor(X/32))),2)'";
const FRAMES = 480; // 16 s, four 4-second segments
const TOKEN = 'pb-token';

/** shownFrame pauses the player and returns the frame number of the picture it shows and the page's wall clock of it. */
function shownFrame(page: Page): Promise<{ n: number; playingMs: number; currentTime: number }> {
  return page.evaluate(async () => {
    const v = document.querySelector<HTMLVideoElement>('.pb-video')!;
    v.pause();
    await new Promise((r) => (v.seeking ? v.addEventListener('seeked', r, { once: true }) : r(null)));
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 240;
    const g = c.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(v, 0, 0, 320, 240);
    let n = 0;
    for (let bit = 0; bit < 10; bit++) if (g.getImageData(bit * 32 + 16, 120, 1, 1).data[1] > 128) n |= 1 << bit;
    const pb = (window as unknown as { camwirePlayback: { playingMs: number } }).camwirePlayback;
    return { n, playingMs: pb.playingMs, currentTime: v.currentTime };
  });
}

describe('recordings in the browser viewer: timeline, playback, events, clip download (headless Chromium)', () => {
  let browser: Browser | undefined;
  let server: HubServer;
  let rec: Recorder;
  const tmp = tempDir();
  let baseMs = 0;

  before(async () => {
    const dir = tmp.file('rec');
    server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1', token: TOKEN, recordDir: dir });
    rec = new Recorder(server.hub, recorderOptions(dir, { segmentMs: 4000, queueFrames: 100_000 }));
    await rec.start();
    const frames = h264Frames({ width: 320, height: 240, fps: 30, frames: FRAMES, gop: 30, source: NUMBERED }, 'cam');
    baseMs = Math.round(Date.now() / 1000) * 1000 - 120_000; // two minutes ago, inside the 10-minute window
    const pub = server.hub.publish('cam');
    await publishTimed(pub, frames, baseMs * 1000, FRAME_US);
    await rec.close(); // every segment closed; the publisher stays, so the live tile stays
    const jpeg = Buffer.from(await (await import('sharp')).default({ create: { width: 64, height: 48, channels: 3, background: '#c33' } }).jpeg().toBuffer());
    const ev = { id: 'cam-ev1', type: 'motion' as const, stream: 'cam', startMs: baseMs + 9000, endMs: baseMs + 11_000, peakScore: 0.2, zone: 'all', snapshot: '/api/events/cam-ev1.jpg', clip: { fromMs: baseMs + 4000, toMs: baseMs + 19_000, url: null } };
    server.events.log.add(ev, jpeg);
    if (hasChromium()) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server.close();
    tmp.cleanup();
  });

  it('shows recorded spans and events, plays the picked moment, changes speed, downloads a marked clip, returns to live', { timeout: 120_000 }, async (t) => {
    if (!requireChromium(t) || !requireTool(t, 'ffprobe')) return;
    const page = await browser!.newPage();
    try {
      await page.goto(`http://127.0.0.1:${server.http!.port}/?token=${TOKEN}`);
      await page.click('[data-window="600000"]');
      const row = '.timeline[data-stream="cam"]';
      await page.waitForSelector(`${row} .tl-event[data-event="cam-ev1"]`);
      await page.waitForFunction((sel) => document.querySelectorAll(`${sel} .tl-span`).length === 4, row);
      // The spans are the recorded segments (4 s each from baseMs), drawn where they belong.
      const starts = await page.$$eval(`${row} .tl-span`, (els) => els.map((e) => Number((e as HTMLElement).dataset.start)));
      assert.deepEqual(starts.map((s) => Math.round((s - baseMs) / 1000)), [0, 4, 8, 12]);
      // The events list shows the event with its snapshot (fetched with the page's token).
      await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('.pb-events li[data-event="cam-ev1"] img')?.naturalWidth ?? 0) > 0);
      assert.equal(await page.isVisible(tile('cam')), true, 'the live tile is there');

      // Drag from the last span to the middle of the second: playback starts where the drag ended.
      const spans = await page.$$(`${row} .tl-span`);
      const a = (await spans[3].boundingBox())!;
      const b = (await spans[1].boundingBox())!;
      await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
      await page.mouse.down();
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
      await page.mouse.up();
      const picked = Number(await page.getAttribute(`${row} .tl-bar`, 'data-picked'));
      assert.ok(picked > baseMs + 4000 && picked < baseMs + 8000, `picked ${picked - baseMs} ms into the recording`);
      await page.waitForSelector('.pb-player[data-state="playing"]');
      const first = await shownFrame(page);
      const frameMs = (n: number) => baseMs + (n * 1000) / 30;
      // The picture shown is the one recorded at the moment the page says it shows…
      assert.ok(Math.abs(frameMs(first.n) - first.playingMs) <= 100, `frame ${first.n} (${frameMs(first.n) - baseMs} ms) shown at page time ${first.playingMs - baseMs} ms`);
      // …and that moment is the one picked (plus what played since).
      assert.ok(first.playingMs >= picked - 100 && first.playingMs < picked + 5000, `playing ${first.playingMs - picked} ms after the picked moment`);

      // Speeds.
      await page.click('[data-speed="4"]');
      assert.equal(await page.$eval('.pb-video', (v) => (v as HTMLVideoElement).playbackRate), 4);

      // Mark a 3-second span and download it.
      await page.click('[aria-label^="Mark the start"]');
      await page.evaluate(() => {
        const v = document.querySelector<HTMLVideoElement>('.pb-video')!;
        v.currentTime += 3;
        return new Promise((r) => v.addEventListener('seeked', r, { once: true }));
      });
      await page.click('[aria-label^="Mark the end"]');
      assert.equal(await page.getAttribute('.pb-download', 'aria-disabled'), 'false');
      if (process.env.CAMWIRE_DOCS_SHOT) await page.locator('.playback').screenshot({ path: process.env.CAMWIRE_DOCS_SHOT }); // docs/img/timeline.png
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('.pb-download')]);
      const file = tmp.file('download.mp4');
      await download.saveAs(file);
      const n = ffprobeFrames(file);
      assert.ok(n >= 88 && n <= 90 + 30, `the 3 s clip has ${n} pictures (from the keyframe before its start)`);

      // One click back to live.
      await page.click('.pb-live');
      await page.waitForSelector('.pb-player[data-state="live"]');
      assert.equal(await page.$eval('.pb-video', (v) => v.hasAttribute('src')), false);
      assert.equal(await page.isVisible('.pb-video'), false);
      assert.equal(await page.$(`${row} .tl-cursor:not([hidden])`), null, 'no playback cursor');
    } finally {
      await page.close();
    }
  });

  it('clicking an event plays its clip from the pre-roll', { timeout: 60_000 }, async (t) => {
    if (!requireChromium(t)) return;
    const page = await browser!.newPage();
    try {
      await page.goto(`http://127.0.0.1:${server.http!.port}/?token=${TOKEN}`);
      await page.click('.pb-events li[data-event="cam-ev1"] button');
      await page.waitForSelector('.pb-player[data-state="playing"]');
      const shown = await shownFrame(page);
      assert.ok(Math.abs(baseMs + (shown.n * 1000) / 30 - shown.playingMs) <= 100, `frame ${shown.n} shown at page time ${shown.playingMs - baseMs} ms`);
      assert.ok(shown.playingMs >= baseMs + 4000 - 100 && shown.playingMs < baseMs + 9000, `starts at the pre-roll: ${shown.playingMs - baseMs} ms`);
    } finally {
      await page.close();
    }
  });
});
