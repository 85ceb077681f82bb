/**
 * LL-HLS over a real hub's HTTP port: the playlist, its parts and cache headers, blocking
 * reload, refusals; Chromium plays the playlist through hls.js, and the viewer page falls back
 * to it where WebCodecs is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '../../../src/frame/frame.js';
import { h264Frames } from '../../../support/h264.js';
import { startTestHub, type TestHub } from '../../helpers/streams.js';
import { requireTool } from '../../helpers/tools.js';
import { launchBrowser, requireChromium, tile } from '../../../support/browser.js';
import { Replay } from '../../../support/replay.js';

let frames: Frame[] | undefined;

async function hubWithH264(t: import('node:test').TestContext): Promise<{ th: TestHub; replay: Replay }> {
  frames ??= h264Frames({ width: 320, height: 240, fps: 30, frames: 60, gop: 30 }, 'cam');
  const th = await startTestHub();
  const replay = new Replay(th.server.hub.publish('cam', 'test'), frames, 30).start();
  t.after(async () => {
    replay.stop();
    await th.close();
  });
  return { th, replay };
}

test('the playlist, parts, segments and init over HTTP, with cache headers for an HTTP cache in front', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const { th } = await hubWithH264(t);
  const res = await fetch(`${th.base}/streams/cam/index.m3u8`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const text = await res.text();
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)![1];
  const part = /#EXT-X-PART:DURATION=[\d.]+,URI="([^"]+)",INDEPENDENT=YES/.exec(text)![1];
  const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(text)![1];
  for (const file of [init, part]) {
    const r = await fetch(`${th.base}/streams/cam/${file}`);
    assert.equal(r.status, 200, file);
    assert.equal(r.headers.get('content-type'), 'video/mp4');
    assert.equal(r.headers.get('cache-control'), 'public, max-age=3600, immutable');
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(body.subarray(4, 8).toString('latin1'), file === init ? 'ftyp' : 'prft');
  }
  // The preload hint names a part that does not exist yet: the request waits for it.
  const hinted = await fetch(`${th.base}/streams/cam/${hint}`);
  assert.equal(hinted.status, 200);
  // Blocking reload: asking for the next part returns a playlist that lists it.
  const [, msn, p] = /-(\d+)\.(\d+)\.m4s$/.exec(hint)!;
  const next = Number(p) + 1;
  const blocked = await fetch(`${th.base}/streams/cam/index.m3u8?_HLS_msn=${msn}&_HLS_part=${next}`);
  assert.equal(blocked.status, 200);
  assert.match(blocked.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
  const bt = await blocked.text();
  assert.ok(bt.includes(`-${msn}.${next}.m4s`) || new RegExp(`-${Number(msn) + 1}\\.0\\.m4s`).test(bt), bt);
  assert.deepEqual(th.server.http && (await fetch(`${th.base}/streams/cam/ffffffff-1.0.m4s`)).status, 404, 'another epoch: gone');
  assert.equal((await fetch(`${th.base}/streams/nosuch/index.m3u8`)).status, 404);
  await th.publish('jpeg');
  const wrong = await fetch(`${th.base}/streams/jpeg/index.m3u8`);
  const why = await wrong.text();
  assert.equal(wrong.status, 409, why);
  assert.match(why, /HLS carries H\.264 only/);
});

test('Chromium plays the LL-HLS playlist through hls.js, about a second behind capture', { timeout: 90_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireChromium(t)) return;
  const { th } = await hubWithH264(t);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${th.base}/`);
  await page.addScriptTag({ url: '/hls-light.js' });
  const played = await page.evaluate(async () => {
    const Hls = (window as unknown as { Hls: any }).Hls;
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    const hls = new Hls({ lowLatencyMode: true, enableWorker: false });
    hls.loadSource('/streams/cam/index.m3u8');
    hls.attachMedia(video);
    await video.play().catch(() => {});
    const end = performance.now() + 30_000;
    while (performance.now() < end && (video.currentTime < 2 || video.getVideoPlaybackQuality().totalVideoFrames < 30)) await new Promise((r) => setTimeout(r, 100));
    return { currentTime: video.currentTime, frames: video.getVideoPlaybackQuality().totalVideoFrames, width: video.videoWidth, latency: hls.latency as number };
  });
  assert.ok(played.currentTime >= 2 && played.frames >= 30, JSON.stringify(played));
  assert.equal(played.width, 320);
  assert.ok(played.latency > 0 && played.latency < 10, `hls.js latency ${played.latency} s`);
});

test('the viewer page falls back to HLS where WebCodecs is missing', { timeout: 90_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireChromium(t)) return;
  const { th } = await hubWithH264(t);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.addInitScript(() => {
    delete (window as unknown as { VideoDecoder?: unknown }).VideoDecoder; // a browser without WebCodecs
  });
  await page.goto(`${th.base}/`);
  await page.waitForSelector(`${tile('cam')}[data-playback="hls"] video.hls`, { timeout: 30_000 });
  await page.waitForFunction((sel) => {
    const v = document.querySelector<HTMLVideoElement>(`${sel} video.hls`);
    return !!v && v.currentTime > 1 && v.getVideoPlaybackQuality().totalVideoFrames > 20;
  }, tile('cam'), { timeout: 30_000 });
  assert.equal(await page.getAttribute(tile('cam'), 'data-state'), 'live');
});
