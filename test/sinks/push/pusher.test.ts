/**
 * Pushes of an H.264 stream to real servers started on free ports: nginx-rtmp (pulled back and
 * read by ffprobe; killed mid-stream and back), srt-live-transmit, and GStreamer's RTSP server
 * in record mode. Servers that refuse say so in one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { Hub } from '../../../src/hub/hub.js';
import { Pusher } from '../../../src/sinks/push/pusher.js';
import { setLogSink } from '../../../src/util/logger.js';
import { h264Frames } from '../../../support/h264.js';
import { waitUntil } from '../../../support/net.js';
import { Replay } from '../../../support/replay.js';
import { probeStream as probe, startNginxRtmp, startRtspServer, startSrtRelay, SYSTEM_PYTHON } from '../../../support/media-servers.js';
import { requireTool } from '../../helpers/tools.js';

const FRAMES = h264Frames({ width: 320, height: 240, fps: 30, frames: 60, gop: 30 }, 'cam');

function h264Hub(name: string): { hub: Hub; replay: Replay } {
  const hub = new Hub();
  const replay = new Replay(hub.publish(name, 'test'), FRAMES, 30).start();
  return { hub, replay };
}

test('push RTMP to nginx-rtmp: pulled back, ffprobe reads the H.264; killed mid-stream, the push resumes when nginx returns', { timeout: 90_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'nginx')) return;
  const nginx = await startNginxRtmp();
  const { hub, replay } = h264Hub('door');
  const push = new Pusher({ hub, stream: 'door', url: nginx.url('door'), ffmpeg: 'ffmpeg', encoded: () => Promise.reject(new Error('not MJPEG')) });
  t.after(async () => {
    replay.stop();
    await push.close();
    await hub.close();
    await nginx.close();
  });
  await push.start();
  await waitUntil(() => push.stats().state === 'live', 15_000, 'the push to go live');
  const first = await probe(nginx.url('door'));
  assert.deepEqual([first.codec, first.width, first.height], ['h264', 320, 240], first.stderr);
  assert.ok(first.frames >= 10, `ffprobe read ${first.frames} frames back from nginx`);

  const before = push.stats();
  assert.equal(before.reconnects, 0);
  assert.ok(before.bytes > 0 && before.frames > 0, JSON.stringify(before));
  await nginx.kill();
  await waitUntil(() => push.stats().state !== 'live', 15_000, 'the push to notice nginx went away');
  await nginx.start();
  await waitUntil(() => push.stats().state === 'live', 30_000, 'the push to resume');
  const again = await probe(nginx.url('door'));
  assert.equal(again.codec, 'h264', again.stderr);
  assert.ok(again.frames >= 10, `after the restart ffprobe read ${again.frames} frames`);
  const after = push.stats();
  assert.ok(after.reconnects >= 1, JSON.stringify(after));
  assert.ok(after.bytes > before.bytes, 'bytes keep counting across runs');
});

test('a push to an RTMP application nginx does not have says so in one line, and keeps retrying', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'nginx')) return;
  const nginx = await startNginxRtmp();
  const { hub, replay } = h264Hub('door');
  const lines: string[] = [];
  setLogSink((l) => {
    lines.push(l);
    process.stderr.write(l + '\n');
  });
  const url = `rtmp://127.0.0.1:${nginx.port}/nosuchapp/door`;
  const push = new Pusher({ hub, stream: 'door', url, ffmpeg: 'ffmpeg', encoded: () => Promise.reject(new Error('not MJPEG')) });
  t.after(async () => {
    setLogSink((l) => process.stderr.write(l + '\n'));
    replay.stop();
    await push.close();
    await hub.close();
    await nginx.close();
  });
  await push.start();
  await waitUntil(() => push.stats().reconnects >= 1, 20_000, 'a retry');
  const line = lines.find((l) => l.includes('push door →') && l.includes('restarting in'));
  assert.match(line ?? '', /the server closed the connection \(for RTMP: no such application, or publishing refused; check the URL\)/, lines.join('\n'));
  assert.notEqual(push.stats().state, 'live');
});

test('a push to a port where nothing listens says "connection refused" in one line', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const { hub, replay } = h264Hub('door');
  const lines: string[] = [];
  setLogSink((l) => {
    lines.push(l);
    process.stderr.write(l + '\n');
  });
  const push = new Pusher({ hub, stream: 'door', url: 'rtmp://127.0.0.1:1/live/door', ffmpeg: 'ffmpeg', encoded: () => Promise.reject(new Error('not MJPEG')) });
  t.after(async () => {
    setLogSink((l) => process.stderr.write(l + '\n'));
    replay.stop();
    await push.close();
    await hub.close();
  });
  await push.start();
  await waitUntil(() => push.stats().reconnects >= 1, 20_000, 'a retry');
  const line = lines.find((l) => l.includes('push door →') && l.includes('restarting in'));
  assert.match(line ?? '', /connection refused \(is the server running, and the port right\?\)/, lines.join('\n'));
});

test('push SRT through srt-live-transmit: a player on the other side reads the H.264', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'srt-live-transmit')) return;
  const relay = await startSrtRelay();
  const { hub, replay } = h264Hub('gate');
  const push = new Pusher({ hub, stream: 'gate', url: `srt://127.0.0.1:${relay.port}?streamid=gate`, ffmpeg: 'ffmpeg', encoded: () => Promise.reject(new Error('not MJPEG')) });
  t.after(async () => {
    replay.stop();
    await push.close();
    await hub.close();
    await relay.close();
  });
  await push.start();
  await waitUntil(() => push.stats().state === 'live', 15_000, 'the push to go live');
  const got = await probe(`srt://127.0.0.1:${relay.playPort}?mode=caller`, 2);
  assert.deepEqual([got.codec, got.width, got.height], ['h264', 320, 240], got.stderr);
  assert.ok(got.frames >= 10, `ffprobe read ${got.frames} frames through SRT`);
});

test('push RTSP (ANNOUNCE/RECORD) to GStreamer\'s RTSP server: what it received is the H.264 stream', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'gst-launch-1.0') || !existsSync(SYSTEM_PYTHON)) return;
  const server = await startRtspServer('record');
  const { hub, replay } = h264Hub('lobby');
  const push = new Pusher({ hub, stream: 'lobby', url: server.url, ffmpeg: 'ffmpeg', encoded: () => Promise.reject(new Error('not MJPEG')) });
  t.after(async () => {
    replay.stop();
    await push.close();
    await hub.close();
    await server.close();
  });
  await push.start();
  await waitUntil(() => push.stats().state === 'live', 15_000, 'the push to go live');
  await waitUntil(() => existsSync(server.recorded) && statSync(server.recorded).size > 50_000, 20_000, 'the server to record');
  await push.close(); // the server finishes its file when the push ends
  await waitUntil(() => true, 10);
  const got = await probe(server.recorded, 100);
  assert.deepEqual([got.codec, got.width, got.height], ['h264', 320, 240], got.stderr);
  assert.ok(got.frames >= 10, `the RTSP server received ${got.frames} frames`);
});
