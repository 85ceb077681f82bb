/**
 * Pulling from the servers people already run, started on free ports: GStreamer's RTSP server
 * as an IP camera, nginx-rtmp and srt-live-transmit fed by an ffmpeg publisher. Each is a
 * `--stream` source whose H.264 is copied (never re-encoded) into the hub.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Frame } from '../../src/frame/frame.js';
import { Hub } from '../../src/hub/hub.js';
import { parseSourceSpec } from '../../src/sources/spec.js';
import { X264_LIVE_ARGS } from '../../src/sources/ffmpeg/args.js';
import { ffmpegSource } from '../helpers/sources.js';
import { requireTool } from '../helpers/tools.js';
import { startNginxRtmp, startRtspServer, startSrtRelay, SYSTEM_PYTHON } from '../../support/media-servers.js';

/** publisher runs ffmpeg sending a live 320x240 H.264 test pattern (keyframe every 30 frames) to `url` as `format`. */
function publisher(url: string, format: string): ChildProcess {
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', ...X264_LIVE_ARGS, '-g', '30', '-f', format, url], { stdio: 'ignore' });
}

async function frames(spec: string, n: number): Promise<{ got: Frame[]; copy: boolean }> {
  const hub = new Hub();
  const source = ffmpegSource({ spec: parseSourceSpec(spec) as never, codec: 'h264', failFast: false });
  const reader = hub.read('s', { queue: { frames: n + 10, bytes: 64 << 20 } });
  await source.start(hub.publish('s', spec));
  const got: Frame[] = [];
  try {
    for await (const f of reader) {
      got.push(f);
      if (got.length === n) break;
    }
  } finally {
    await source.close();
    await hub.close();
  }
  return { got, copy: source.copy };
}

function assertH264(got: Frame[], n: number): void {
  assert.equal(got.length, n);
  assert.equal(got[0].keyframe, true, 'starts at a keyframe');
  assert.ok(got.every((f) => f.codec === 'h264' && f.width === 320 && f.height === 240));
}

test('rtmp:// and srt:// are SOURCE forms', () => {
  assert.deepEqual(parseSourceSpec('rtmp://nginx/live/door'), { kind: 'url', url: 'rtmp://nginx/live/door' });
  assert.deepEqual(parseSourceSpec('srt://relay:9000?streamid=door'), { kind: 'url', url: 'srt://relay:9000?streamid=door' });
});

test('RTSP source: an H.264 IP camera served by GStreamer\'s RTSP server is copied into the hub', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'gst-launch-1.0') || !existsSync(SYSTEM_PYTHON)) return;
  const server = await startRtspServer('play', 30);
  t.after(() => server.close());
  const { got, copy } = await frames(server.url, 45);
  assertH264(got, 45);
  assert.ok(copy, 'passed through, not re-encoded');
  assert.ok(got.filter((f) => f.keyframe).length >= 1);
});

test('RTMP source: a stream published to nginx-rtmp is pulled and copied into the hub', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'nginx')) return;
  const nginx = await startNginxRtmp();
  const pub = publisher(nginx.url('lobby'), 'flv');
  t.after(async () => {
    pub.kill('SIGKILL');
    await nginx.close();
  });
  const { got, copy } = await frames(nginx.url('lobby'), 45);
  assertH264(got, 45);
  assert.ok(copy);
});

test('SRT source: a stream sent through srt-live-transmit is pulled and copied into the hub', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'srt-live-transmit')) return;
  const relay = await startSrtRelay();
  const pub = publisher(`srt://127.0.0.1:${relay.port}?mode=caller`, 'mpegts');
  t.after(async () => {
    pub.kill('SIGKILL');
    await relay.close();
  });
  const { got, copy } = await frames(`srt://127.0.0.1:${relay.playPort}?mode=caller`, 45);
  assertH264(got, 45);
  assert.ok(copy);
});
