import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { camwire, type Proc } from '../helpers/cli.js';
import { freePort, freeUdpPort, waitForPort } from '../../support/net.js';
import { requireTool } from '../helpers/tools.js';

async function waitUntilAsync(cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for the stream');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** hubWithTimecode starts `camwire serve` and a `send testsrc --timecode` into stream `lab`. */
async function hubWithTimecode(extra: string[] = ['--timecode']): Promise<{ tcp: number; http: number; procs: Proc[] }> {
  const [tcp, http] = [await freePort(), await freePort()];
  const hub = camwire(['serve', '--tcp', String(tcp), '--http', String(http), '--host', '127.0.0.1']);
  await waitForPort(tcp);
  await waitForPort(http);
  const send = camwire(['send', 'testsrc', `tcp://127.0.0.1:${tcp}/lab`, '--size', '640x360', '--fps', '20', ...extra]);
  // Peers reading /streams/lab.mjpeg get 404 until the sender has published.
  await waitUntilAsync(async () => ((await (await fetch(`http://127.0.0.1:${http}/api/streams`)).json()) as { streams: { name: string }[] }).streams.some((s) => s.name === 'lab'));
  return { tcp, http, procs: [send, hub] };
}

function summaryOf(p: Proc): Record<string, number> {
  const lines = p.stdout().trim().split('\n');
  const s = JSON.parse(lines[lines.length - 1]);
  assert.equal(s.type, 'summary');
  return s;
}

test('camwire latency reads the strip from a camwire hub and reports view --json keys plus framesRead and unreadable', async (t) => {
  const { tcp, procs } = await hubWithTimecode();
  t.after(() => Promise.all(procs.map((p) => p.stop())));
  const lat = camwire(['latency', `tcp://127.0.0.1:${tcp}/lab`, '--seconds', '3', '--json']);
  assert.equal(await lat.exited, 0, lat.stderr());
  const s = summaryOf(lat);
  for (const k of ['seconds', 'frames', 'fps', 'kbps', 'dropped', 'latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'width', 'height', 'framesRead', 'unreadable']) assert.ok(k in s, `key ${k}`);
  assert.ok(s.framesRead >= 10, `${s.framesRead} pictures`);
  assert.equal(s.unreadable, 0);
  assert.equal(s.frames, s.framesRead);
  assert.deepEqual([s.width, s.height], [640, 360]);
  assert.ok(s.kbps > 0);
  // The strip's time is the capture time: latency is positive and below the run's length.
  assert.ok(s.latencyP50Ms! > 0 && s.latencyP99Ms! < 3000, JSON.stringify(s));
});

test('camwire latency through real pipelines: ffmpeg re-encodes the hub\'s MJPEG over HTTP to x264 in MPEG-TS over UDP, and the H.264 path through camwire', async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const { tcp, http, procs } = await hubWithTimecode();
  const udp = await freeUdpPort();
  const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'mpjpeg', '-i', `http://127.0.0.1:${http}/streams/lab.mjpeg`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '1000k', '-g', '20', '-f', 'mpegts', `udp://127.0.0.1:${udp}?pkt_size=1316`], { stdio: 'ignore' });
  // camwire itself re-encodes the same MJPEG to H.264 (an ffmpeg URL source) into stream lab264.
  const h264 = camwire(['send', `http://127.0.0.1:${http}/streams/lab.mjpeg`, `tcp://127.0.0.1:${tcp}/lab264`, '--codec', 'h264']);
  t.after(async () => {
    ff.kill('SIGKILL');
    await h264.stop();
    await Promise.all(procs.map((p) => p.stop()));
  });
  const [ts, cw, mjpeg] = await Promise.all([
    camwire(['latency', `udp://127.0.0.1:${udp}`, '--via', 'ffmpeg', '--seconds', '6', '--json']),
    camwire(['latency', `tcp://127.0.0.1:${tcp}/lab264`, '--seconds', '6', '--json']),
    camwire(['latency', `http://127.0.0.1:${http}/streams/lab.mjpeg`, '--seconds', '4', '--json']),
  ].map(async (p) => {
    assert.equal(await p.exited, 0, p.stderr());
    return summaryOf(p);
  }));
  for (const [name, s] of [['MPEG-TS over UDP', ts], ['camwire H.264', cw], ['MJPEG over HTTP', mjpeg]] as const) {
    assert.ok(s.frames >= 10, `${name}: ${JSON.stringify(s)}`);
    // Lossy codecs may blur a strip into "unreadable", never into a wrong time: the latencies
    // stay positive and below the run's length.
    assert.ok(s.unreadable <= s.framesRead * 0.05, `${name}: ${JSON.stringify(s)}`);
    assert.ok(s.latencyP50Ms! > 0 && s.latencyP99Ms! < 6000, `${name}: ${JSON.stringify(s)}`);
  }
  assert.equal(cw.width, 640, 'camwire carried the H.264 frames: their size is known');
});

test('camwire latency says what to do when the pictures carry no timecode', async (t) => {
  const { tcp, procs } = await hubWithTimecode([]);
  t.after(() => Promise.all(procs.map((p) => p.stop())));
  const lat = camwire(['latency', `tcp://127.0.0.1:${tcp}/lab`, '--seconds', '2']);
  assert.notEqual(await lat.exited, 0);
  assert.match(lat.stderr(), /readable timecode.*--timecode/);
});

test('camwire latency --help, and a bad --via is refused', async () => {
  const h = camwire(['latency', '--help']);
  assert.equal(await h.exited, 0);
  assert.match(h.stdout(), /Usage: camwire latency URL/);
  const bad = camwire(['latency', 'tcp://127.0.0.1:1/x', '--via', 'carrier-pigeon']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.stderr(), /--via/);
});
