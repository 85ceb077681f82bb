import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type HubServer } from '../../src/api/hub-server.js';
import { setLogLevel } from '../../src/util/logger.js';
import { canvasHash, launchBrowser, requireChromium, tile } from '../../support/browser.js';
import { h264Frames } from '../../support/h264.js';
import { Replay } from '../../support/replay.js';
import { selfSignedCert } from '../helpers/tls.js';
import { requireTool } from '../helpers/tools.js';

setLogLevel('error');

/** LAN_NAME stands for a hub's LAN address: not localhost, so only https makes the page secure. */
const LAN_NAME = 'camwire.test';

test('H.264 tiles need a secure page: on a LAN name they decode over HTTPS and say why not over HTTP', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireChromium(t)) return;
  const tls = selfSignedCert(t, LAN_NAME);
  if (!tls) return;
  const frames = h264Frames({ width: 320, height: 240, fps: 30, frames: 30, gop: 10 });
  const hubs: HubServer[] = [];
  const replays: Replay[] = [];
  // The name resolves to loopback inside Chromium only; the certificate is self-signed.
  const browser = await launchBrowser(undefined, { args: [`--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`], ignoreHTTPSErrors: true });
  try {
    const serve = async (secure: boolean) => {
      // The hub answers to the name because it is configured (allowedHosts), as a LAN name would be.
      const hub = await startHub({ tcpPort: null, host: '127.0.0.1', httpPort: 0, allowedHosts: LAN_NAME, ...(secure ? { tlsCert: tls.cert, tlsKey: tls.key } : {}) });
      hubs.push(hub);
      replays.push(new Replay(hub.hub.publish('cam', 'test'), frames, 30).start());
      const page = await browser.newPage();
      await page.goto(`${secure ? 'https' : 'http'}://${LAN_NAME}:${hub.http!.port}/`);
      return page;
    };
    const plain = await serve(false);
    // No WebCodecs on a plain-HTTP LAN name: the tile falls back to LL-HLS (web/hls-fallback.ts).
    await plain.waitForSelector(`${tile('cam')}[data-playback="hls"] video.hls`, { timeout: 15_000 });

    const secure = await serve(true);
    await secure.waitForSelector(`${tile('cam')}[data-state="live"]`, { timeout: 15_000 });
    const first = await canvasHash(secure, 'cam');
    let changed = false;
    for (let i = 0; i < 50 && !changed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      changed = (await canvasHash(secure, 'cam')) !== first;
    }
    assert.ok(changed, 'the H.264 picture changes on the https page');
  } finally {
    replays.forEach((r) => r.stop());
    await browser.close();
    for (const h of hubs) await h.close();
    tls.remove();
  }
});
