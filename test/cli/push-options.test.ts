/**
 * The real binary pushing to a real nginx-rtmp: `serve --push` (counters in /api/streams and
 * /metrics) and `send SOURCE rtmp://…`; a bad --push is one line and exit code 1.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { camwire, type Proc } from '../helpers/cli.js';
import { freePort, waitUntil } from '../../support/net.js';
import { requireTool } from '../helpers/tools.js';
import { probeStream, startNginxRtmp } from '../../support/media-servers.js';

const procs: Proc[] = [];
const run = (args: string[]) => {
  const p = camwire(args);
  procs.push(p);
  return p;
};
after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
});

test('serve --push: the stream reaches nginx-rtmp; /api/streams and /metrics show the push', { timeout: 90_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'nginx')) return;
  const nginx = await startNginxRtmp();
  t.after(() => nginx.close());
  const http = await freePort();
  const hub = run(['serve', '--tcp', '0', '--http', String(http), '--host', '127.0.0.1', '--stream', 'cam=testsrc', '--size', '320x240', '--fps', '15', '--push', `cam=${nginx.url('cam')}`]);
  await hub.waitFor(/pushing "cam" to rtmp:/);
  await hub.waitFor(/push cam → rtmp:.*: live/, 30_000);
  const got = await probeStream(nginx.url('cam'));
  assert.deepEqual([got.codec, got.width, got.height], ['h264', 320, 240], got.stderr);
  const api = (await (await fetch(`http://127.0.0.1:${http}/api/streams`)).json()) as { streams: { name: string; pushes?: { url: string; state: string; bytes: number; reconnects: number }[] }[] };
  const pushes = api.streams.find((s) => s.name === 'cam')?.pushes;
  assert.equal(pushes?.length, 1, JSON.stringify(api));
  assert.equal(pushes![0].url, nginx.url('cam'));
  assert.equal(pushes![0].state, 'live');
  assert.ok(pushes![0].bytes > 0);
  const metrics = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
  assert.match(metrics, new RegExp(`camwire_push_live\\{stream="cam",url="${nginx.url('cam').replace(/[/.]/g, '\\$&')}"\\} 1`));
  assert.match(metrics, /camwire_push_reconnects_total\{stream="cam",[^}]*\} 0/);
});

test('send SOURCE rtmp://… pushes straight to the server', { timeout: 90_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireTool(t, 'nginx')) return;
  const nginx = await startNginxRtmp();
  t.after(() => nginx.close());
  const sender = run(['send', 'testsrc', nginx.url('door'), '--size', '320x240', '--fps', '15']);
  await sender.waitFor(/: live/, 30_000);
  const got = await probeStream(nginx.url('door'));
  assert.deepEqual([got.codec, got.width], ['h264', 320], got.stderr);
  assert.equal(await sender.stop(), 0);
});

test('a bad --push is one line naming the form, exit code 2 (a usage error), before anything listens', { timeout: 30_000 }, async () => {
  const hub = run(['serve', '--tcp', '0', '--http', '0', '--push', 'cam=http://example.invalid/x']);
  assert.equal(await hub.exited, 2);
  const err = hub.stderr().trim().split('\n');
  assert.equal(err.length, 1, hub.stderr());
  assert.match(err[0], /is not a server URL camwire pushes to \(rtmp:\/\/, rtmps:\/\/, rtsp:\/\/, rtsps:\/\/, srt:\/\/\)/);
  await waitUntil(() => true);
});
