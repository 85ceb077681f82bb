import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { isJpeg } from '../../src/codecs/jpeg.js';
import { JpegSplitter } from '../../src/codecs/jpeg-splitter.js';
import type { Frame } from '../../src/frame/frame.js';
import { Hub } from '../../src/hub/hub.js';
import { ffmpegBytes, testsrc } from '../../support/media.js';
import { ffmpegSource } from '../helpers/sources.js';
import { hasTool } from '../helpers/tools.js';
import { requireTool } from '../helpers/tools.js';
import { X264_LIVE_ARGS } from '../../src/sources/ffmpeg/args.js';

// A small loopback "IP camera": /video.h264 (raw Annex B) and /video.mjpg (multipart MJPEG, 20 fps).
let server: Server;
let base = '';
const hub = new Hub();

before(async () => {
  if (!hasTool('ffmpeg')) return;
  const h264 = ffmpegBytes([...testsrc('320x240', 20, 1), ...X264_LIVE_ARGS, '-g', '10', '-x264-params', 'repeat-headers=1', '-f', 'h264']);
  const jpegs = new JpegSplitter(1 << 20).push(ffmpegBytes([...testsrc('320x240', 20, 1), '-c:v', 'mjpeg', '-f', 'mjpeg']), 0).map((u) => u.payload);
  server = createServer((req, res) => {
    if (req.url === '/video.h264') {
      res.writeHead(200, { 'Content-Type': 'video/h264' });
      res.end(h264);
    } else if (req.url === '/video.mjpg') {
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=camwireframe' });
      let i = 0;
      const t = setInterval(() => {
        const j = jpegs[i++ % jpegs.length];
        res.write(`--camwireframe\r\nContent-Type: image/jpeg\r\nContent-Length: ${j.length}\r\n\r\n`);
        res.write(j);
        res.write('\r\n');
      }, 50);
      res.on('close', () => clearInterval(t));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  await hub.close();
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

async function frames(name: string, url: string, codec: 'mjpeg' | 'h264', count: number): Promise<{ got: Frame[]; copy: boolean }> {
  const pub = hub.publish(name);
  const r = hub.read(name);
  const src = ffmpegSource({ spec: { kind: 'url', url }, codec });
  await src.start(pub);
  try {
    const got: Frame[] = [];
    while (got.length < count) got.push((await r.next())!);
    return { got, copy: src.copy };
  } finally {
    await src.close();
  }
}

test('an HTTP camera sending raw H.264 is passed through as H.264 frames, keyframes flagged', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const { got, copy } = await frames('h264cam', `${base}/video.h264`, 'h264', 5);
  assert.equal(copy, true);
  assert.ok(got[0].keyframe);
  assert.ok(got.every((f) => f.codec === 'h264' && f.width === 320 && f.height === 240));
});

test('an HTTP camera sending multipart MJPEG is passed through as JPEGs, or encoded to H.264', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const mj = await frames('mjcam', `${base}/video.mjpg`, 'mjpeg', 5);
  assert.equal(mj.copy, true);
  assert.ok(mj.got.every((f) => isJpeg(f.payload) && f.width === 320));
  const h = await frames('mjcam264', `${base}/video.mjpg`, 'h264', 5);
  assert.equal(h.copy, false);
  assert.ok(h.got[0].keyframe && h.got.every((f) => f.codec === 'h264'));
});

test('a URL answering 404 fails with a clear line', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const src = ffmpegSource({ spec: { kind: 'url', url: `${base}/nothing` }, codec: 'mjpeg' });
  await assert.rejects(src.start(hub.publish('nothing')), /not found on the server/);
  await src.close();
});
