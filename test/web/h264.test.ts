/// <reference lib="dom" />
import { after, afterEach, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Frame } from '../../src/frame/frame.js';
import { nowUs } from '../../src/util/clock.js';
import { canvasHash, hasChromium, launchBrowser, requireChromium, tile, type Browser } from '../../support/browser.js';
import { h264Frames } from '../../support/h264.js';
import { Replay } from '../../support/replay.js';
import { ffmpegSource, lavfiCamera } from '../helpers/sources.js';
import { startTestHub, type TestHub } from '../helpers/streams.js';
import { requireTool } from '../helpers/tools.js';

/** Chunk is one EncodedVideoChunk the page handed to its VideoDecoder: [type, timestamp µs]. */
type Chunk = ['key' | 'delta', number];

/**
 * RECORD_CHUNKS: page instrumentation (the real decoder still decodes every chunk): records
 * what went into VideoDecoder.decode, so a test can see where decoding started.
 */
const RECORD_CHUNKS = () => {
  const w = window as unknown as { chunks: Chunk[] };
  w.chunks = [];
  const decode = VideoDecoder.prototype.decode;
  VideoDecoder.prototype.decode = function (this: VideoDecoder, c: EncodedVideoChunk) {
    w.chunks.push([c.type, c.timestamp]);
    return decode.call(this, c);
  };
};

interface StreamProbe {
  drawn: number;
  decodeErrors: number;
  state: string;
}

const probeOf = (page: Page, name: string) => page.evaluate((n) => (window as unknown as { camwire: { streams: Record<string, StreamProbe> } }).camwire.streams[n], name);
const chunksOf = (page: Page) => page.evaluate(() => (window as unknown as { chunks: Chunk[] }).chunks);

describe('browser viewer plays H.264 (headless Chromium, WebCodecs)', () => {
  let browser: Browser | undefined;
  let h: TestHub;
  let pages: Page[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    h = await startTestHub();
    if (hasChromium()) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h.close();
  });
  afterEach(async () => {
    for (const p of pages) await p.close();
    pages = [];
    for (const c of cleanups.splice(0)) await c();
  });

  async function open(t: TestContext, path: string, init?: () => void): Promise<Page | undefined> {
    if (!requireChromium(t)) return undefined;
    const page = await browser!.newPage();
    pages.push(page);
    if (init) await page.addInitScript(init);
    await page.goto(h.base + path);
    return page;
  }

  /** replay publishes pre-encoded frames under `name`, looping keyframe to keyframe. */
  function replay(name: string, frames: Frame[], fps = 30): Replay {
    const pub = h.server.hub.publish(name, 'test');
    const r = new Replay(pub, frames, fps).start();
    cleanups.push(() => {
      r.stop();
      pub.end();
    });
    return r;
  }

  it('shows a 640×480 H.264 stream from an ffmpeg source: pictures change, a latency figure, no decode error; a page joining mid-stream starts at a keyframe', async (t) => {
    if (!requireTool(t, 'ffmpeg') || !requireChromium(t)) return;
    const src = ffmpegSource({ spec: { kind: 'camera' }, codec: 'h264', gopSeconds: 1, inputArgs: lavfiCamera('640x480', 30) });
    const pub = h.server.hub.publish('h264cam', 'test');
    cleanups.push(async () => {
      await src.close();
      pub.end();
    });
    await src.start(pub);
    const first = (await open(t, '/', RECORD_CHUNKS))!;
    await first.waitForSelector(`${tile('h264cam')}[data-state="live"]`, { timeout: 10_000 });
    assert.equal(await first.locator(`${tile('h264cam')} .res`).innerText(), '640×480');
    const before = await canvasHash(first, 'h264cam');
    await first.waitForTimeout(600);
    assert.notEqual(await canvasHash(first, 'h264cam'), before, 'the picture changed');
    await first.waitForFunction((sel) => /^\d+ ms$/.test(document.querySelector(sel)!.textContent ?? ''), `${tile('h264cam')} .lat`);

    // Join while the stream runs (somewhere inside a one-second GOP): decoding starts at a keyframe.
    await first.waitForTimeout(1300);
    const late = (await open(t, '/?stream=h264cam', RECORD_CHUNKS))!;
    await late.waitForSelector(`${tile('h264cam')}[data-state="live"]`, { timeout: 10_000 });
    await late.waitForFunction(() => (window as any).camwire.streams.h264cam.drawn >= 15, null, { timeout: 10_000 });
    for (const page of [first, late]) {
      const chunks = await chunksOf(page);
      assert.equal(chunks[0][0], 'key', 'the first chunk decoded is a keyframe');
      const p = await probeOf(page, 'h264cam');
      assert.equal(p.decodeErrors, 0, 'no decoder error');
      assert.ok(p.drawn >= 15, `drew ${p.drawn} frames`);
    }
  });

  it('after a hole in the chain feeds the decoder nothing until the next keyframe', async (t) => {
    if (!requireTool(t, 'ffmpeg') || !requireChromium(t)) return;
    const frames = h264Frames({ width: 320, height: 240, fps: 30, frames: 30, gop: 10 });
    assert.deepEqual(frames.map((f, i) => (f.keyframe ? i : -1)).filter((i) => i >= 0), [0, 10, 20]);
    const page = (await open(t, '/', RECORD_CHUNKS))!;
    await page.waitForSelector('.empty');
    // The keyframe until the page shows it (its hub reader exists then), then frames 1..4, lose
    // frame 5 (a delta frame), go on with 6..29: 6..9 would decode against a missing reference.
    const pub = h.server.hub.publish('holes', 'test');
    cleanups.push(() => pub.end());
    const seqOf = new Map<number, number>();
    let seq = 0;
    const send = (f: Frame) => {
      const captureUs = nowUs();
      seqOf.set(captureUs, f === frames[0] ? 0 : f.seq);
      pub.publish({ ...f, stream: 'holes', seq: seq++, captureUs });
    };
    while (!(await probeOf(page, 'holes'))?.drawn) {
      send(frames[0]);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const f of frames.slice(1)) {
      if (f.seq === 5) seq++;
      else send(f);
      await new Promise((r) => setTimeout(r, 33));
    }
    await page.waitForTimeout(300);
    const fed = (await chunksOf(page)).map(([type, ts]) => ({ type, seq: seqOf.get(ts)! }));
    assert.ok(fed.length > 0);
    assert.equal(fed[0].type, 'key');
    for (let i = 1; i < fed.length; i++) {
      if (fed[i].seq !== fed[i - 1].seq + 1) assert.equal(fed[i].type, 'key', `frame ${fed[i].seq} after ${fed[i - 1].seq}: only a keyframe may follow a hole`);
    }
    for (const n of [6, 7, 8, 9]) assert.ok(!fed.some((c) => c.seq === n), `frame ${n} (after the hole) was not decoded`);
    assert.ok(fed.some((c) => c.seq === 4), 'frames before the hole were decoded');
    assert.ok(fed.some((c) => c.seq >= 10), 'decoding resumed at the keyframe');
    assert.equal((await probeOf(page, 'holes')).decodeErrors, 0);
  });

  it('falls back to LL-HLS where the browser has no H.264 decoder (docs/scale.md)', async (t) => {
    if (!requireTool(t, 'ffmpeg') || !requireChromium(t)) return;
    replay('noweb', h264Frames({ width: 160, height: 120, fps: 15, frames: 15, gop: 15 }), 15);
    const page = (await open(t, '/', () => delete (window as { VideoDecoder?: unknown }).VideoDecoder))!;
    await page.waitForSelector(`${tile('noweb')}[data-playback="hls"] video.hls`, { timeout: 10_000 });
  });
});
