/**
 * The old programs' wire behaviour (test/transports/seed/peers/old_programs.py: real numpy, real
 * OpenCV, the same socket calls) against camwire, in both directions for every wire= format,
 * plus hostile peers. Colours check the channel order: the programs' pictures are B=200, R=30.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { publishTo, readFrom, type RemotePublisher } from '../../../src/api/remote.js';
import type { Frame } from '../../../src/frame/frame.js';
import { encodePickleJpeg } from '../../../src/transports/seed/pickle-jpeg.js';
import { setLogSink } from '../../../src/util/logger.js';
import { nowUs } from '../../../src/util/clock.js';
import { freePort, freeUdpPort, rawConnect, waitUntil } from '../../../support/net.js';
import { requirePython, startPython, type PythonPeer } from './python.js';
import { camwire } from '../../helpers/cli.js';

const logs: string[] = [];
setLogSink((l) => logs.push(l));
const peers: PythonPeer[] = [];
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const p of peers) p.kill();
  for (const c of closers) await c().catch(() => {});
});

function py(script: string, args: (string | number)[]): PythonPeer {
  const p = startPython(script, args.map(String));
  peers.push(p);
  return p;
}

/** colour of the top quarter of a JPEG as {b, g, r} (what the python side reports too). */
async function colour(jpeg: Buffer): Promise<{ b: number; g: number; r: number }> {
  const m = await sharp(jpeg).metadata();
  // stats() would describe the whole input, not the extract: average the raw pixels instead.
  const px = await sharp(jpeg).extract({ left: 0, top: 0, width: m.width!, height: Math.floor(m.height! / 4) }).removeAlpha().raw().toBuffer();
  const sum = [0, 0, 0];
  for (let i = 0; i < px.length; i++) sum[i % 3] += px[i];
  const n = px.length / 3;
  return { r: Math.round(sum[0] / n), g: Math.round(sum[1] / n), b: Math.round(sum[2] / n) };
}

function near(got: Record<string, unknown>, want: Record<string, number>, tol = 8): void {
  for (const [k, v] of Object.entries(want)) assert.ok(Math.abs((got[k] as number) - v) <= tol, `${k}: got ${String(got[k])}, want ${v}±${tol} (${JSON.stringify(got)})`);
}

/** A JPEG like the python pictures: B=200, G=100, R=30 with a white bar. */
const picture = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: 30, g: 100, b: 200 } } })
    .composite([{ input: { create: { width: w, height: 8, channels: 3, background: { r: 255, g: 255, b: 255 } } }, top: Math.floor(h / 3), left: 0 }])
    .jpeg({ quality: 90 })
    .toBuffer();

/** feed publishes `jpeg` every 33 ms until stopped. */
function feed(out: RemotePublisher, jpeg: Buffer, w: number, h: number): () => void {
  let seq = 0;
  const t = setInterval(() => out.publish({ stream: out.stream.name, codec: 'mjpeg', keyframe: true, seq: seq++, captureUs: nowUs(), width: w, height: h, payload: jpeg }), 33);
  return () => clearInterval(t);
}

async function take(url: string, n: number, opts = {}): Promise<Frame[]> {
  const got: Frame[] = [];
  const r = readFrom(url, opts);
  closers.push(() => r.close());
  for await (const f of r) {
    got.push(f);
    if (got.length >= n) break;
  }
  return got;
}

test('len-jpeg (000): camwire views an old camera server, and serves several old viewers at once', { timeout: 120_000 }, async (t) => {
  if (!requirePython(t)) return;
  const port = await freePort();
  const cam = py('old_programs.py', ['len-jpeg-camera', port, 200]);
  const frames = await take(`tcp://127.0.0.1:${port}?wire=len-jpeg`, 5);
  assert.deepEqual([frames[0].codec, frames[0].width, frames[0].height], ['mjpeg', 320, 240]);
  near(await colour(frames[4].payload), { b: 200, r: 30 });
  cam.kill();

  const out = await publishTo('tcp://127.0.0.1:0?listen&wire=len-jpeg');
  closers.push(() => out.close());
  const stop = feed(out, await picture(320, 240), 320, 240);
  const short = py('old_programs.py', ['len-jpeg-viewer', out.port, 3]);
  const long = py('old_programs.py', ['len-jpeg-viewer', out.port, 40]);
  assert.equal((await short.exited).code, 0, 'the first viewer got its frames and left');
  const ended = await long.exited;
  stop();
  assert.equal(ended.code, 0, `the second viewer carried on after the first left: ${ended.stderr}`);
  assert.equal(long.lines.length, 40);
  near(long.lines.at(-1) as Record<string, unknown>, { w: 320, h: 240, b: 200, g: 100, r: 30 });
  assert.ok(logs.some((l) => /is unauthenticated \(wire=len-jpeg has no credentials\)/.test(l)));
});

test('pickle-jpeg (002/003): old cameras push into a listening camwire; camwire pushes to an old viewer, reconnecting until it is up', { timeout: 120_000 }, async (t) => {
  if (!requirePython(t)) return;
  const port = await freePort();
  const reading = take(`tcp://127.0.0.1:${port}?listen&wire=pickle-jpeg`, 5);
  await waitUntil(() => logs.some((l) => l.includes(`tcp://127.0.0.1:${port}?wire=pickle-jpeg is unauthenticated`)));
  py('old_programs.py', ['pickle-jpeg-camera', port, 200]);
  const frames = await reading;
  assert.equal(frames.length, 5);
  near(await colour(frames[4].payload), { b: 200, r: 30 });

  const vport = await freePort();
  const out = await publishTo(`tcp://127.0.0.1:${vport}?wire=pickle-jpeg`);
  closers.push(() => out.close());
  const stop = feed(out, await picture(320, 240), 320, 240);
  const viewer = py('old_programs.py', ['pickle-jpeg-viewer', vport, 10]);
  const r = await viewer.exited;
  stop();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(viewer.lines.filter((l) => (l as { event: string }).event === 'frame').length, 10);
  near(viewer.lines.at(-1) as Record<string, unknown>, { w: 320, h: 240, b: 200, g: 100, r: 30 });
});

test('pickle-bgr (004): camwire views an old camera server (JPEG-encoding raw BGR) and serves old viewers raw BGR of --size', { timeout: 120_000 }, async (t) => {
  if (!requirePython(t)) return;
  const port = await freePort();
  const cam = py('old_programs.py', ['pickle-bgr-camera', port, 200, 320, 240]);
  const frames = await take(`tcp://127.0.0.1:${port}?wire=pickle-bgr`, 4);
  assert.deepEqual([frames[0].codec, frames[0].width, frames[0].height], ['mjpeg', 320, 240]);
  near(await colour(frames[3].payload), { b: 200, r: 30 });
  cam.kill();

  const out = await publishTo('tcp://127.0.0.1:0?listen&wire=pickle-bgr', { size: { width: 160, height: 120 } });
  closers.push(() => out.close());
  const stop = feed(out, await picture(320, 240), 320, 240);
  const viewer = py('old_programs.py', ['pickle-bgr-viewer', out.port, 5]);
  const r = await viewer.exited;
  stop();
  assert.equal(r.code, 0, r.stderr);
  near(viewer.lines.at(-1) as Record<string, unknown>, { w: 160, h: 120, b: 200, g: 100, r: 30 });
  assert.deepEqual([(viewer.lines.at(-1) as { dtype: string }).dtype, (viewer.lines.at(-1) as { c_contiguous: boolean }).c_contiguous], ['uint8', true]);
});

test('countdown (001): camwire receives an old sender, and an old receiver shows camwire: one Hello, whole frames', { timeout: 120_000 }, async (t) => {
  if (!requirePython(t)) return;
  const port = await freeUdpPort();
  const reading = take(`udp://@127.0.0.1:${port}?wire=countdown`, 5);
  await waitUntil(() => logs.some((l) => l.includes(`receiving wire=countdown on udp://@127.0.0.1:${port}`)));
  py('old_programs.py', ['countdown-sender', port, 300]);
  const frames = await reading;
  assert.deepEqual([frames[0].width, frames[0].height], [600, 400]);
  near(await colour(frames[4].payload), { b: 200, r: 30 });

  const rport = await freeUdpPort();
  const receiver = py('old_programs.py', ['countdown-receiver', rport, 10]);
  await receiver.line((o) => o.event === 'listening');
  const out = await publishTo(`udp://127.0.0.1:${rport}?wire=countdown`);
  closers.push(() => out.close());
  // A 640x480 picture is several 1400-byte slices: the old receiver reassembles them.
  const stop = feed(out, await picture(640, 480), 640, 480);
  const r = await receiver.exited;
  stop();
  assert.equal(r.code, 0, `the old receiver did not crash: ${r.stderr}`);
  assert.deepEqual(receiver.lines.filter((l) => (l as { event: string }).event === 'hello'), [{ event: 'hello', data: 'Hello' }]);
  near(receiver.lines.at(-1) as Record<string, unknown>, { w: 640, h: 480, b: 200, g: 100, r: 30 });
});

test('a pickle that calls os.system is refused, logged once and that connection closed; another camera carries on', { timeout: 120_000 }, async (t) => {
  if (!requirePython(t)) return;
  const port = await freePort();
  const frames: Frame[] = [];
  const r = readFrom(`tcp://127.0.0.1:${port}?listen&wire=pickle-jpeg`);
  closers.push(() => r.close());
  void (async () => {
    for await (const f of r) frames.push(f);
  })();
  await waitUntil(() => logs.some((l) => l.includes(`tcp://127.0.0.1:${port}?wire=pickle-jpeg is unauthenticated`)));
  const good = await rawConnect(port);
  const jpeg = await picture(64, 48);
  const push = setInterval(() => good.write(Buffer.concat(encodePickleJpeg(jpeg))), 30);
  await waitUntil(() => frames.length >= 3, 10000, 'frames from the good camera');
  // The evil one connects last, so the listener's newest-connection rule would let it feed the stream.
  const marker = `/tmp/camwire-pwned-${process.pid}`;
  const evil = Buffer.from(`cposix\nsystem\n(Vtouch ${marker}\ntR.`, 'latin1');
  const bad = await rawConnect(port);
  const closedBad = new Promise((res) => bad.on('close', res));
  bad.write(Buffer.concat([Buffer.from([0, 0, 0, evil.length]), evil]));
  await closedBad;
  clearInterval(push);
  assert.equal(existsSync(marker), false);
  const refusals = logs.filter((l) => /posix\.system/.test(l));
  assert.equal(refusals.length, 1, refusals.join('\n'));
  assert.match(refusals[0], /pickle-jpeg: expected a numpy array .*got a call of posix\.system.*CAMWIRE_ERR_BAD_PICKLE.*connection closed/);
  good.destroy();
});

test('a peer that leaves mid-frame or declares a 2^63-byte frame costs one closed connection; the adapter reconnects and carries on', { timeout: 120_000 }, async () => {
  const server = createServer();
  const conns: Socket[] = [];
  let n = 0;
  server.on('connection', (s) => {
    conns.push(s);
    n++;
    const h = Buffer.alloc(8);
    if (n === 1) {
      h.writeBigUInt64LE(2n ** 63n);
      s.write(Buffer.concat([h, Buffer.alloc(1000)]));
    } else if (n === 2) {
      h.writeBigUInt64LE(5000n);
      s.end(Buffer.concat([h, Buffer.alloc(100)])); // leaves mid-frame
    }
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  closers.push(() => new Promise((res) => server.close(res)));
  const port = (server.address() as { port: number }).port;
  const r = readFrom(`tcp://127.0.0.1:${port}?wire=pickle-bgr`, { reconnectInitialMs: 20, reconnectMaxMs: 50 });
  closers.push(() => r.close());
  await waitUntil(() => n >= 3, 10000, 'a third connection');
  assert.ok(logs.some((l) => /pickle-bgr: declared message of 9223372036854775808 bytes exceeds maxFrameBytes .*CAMWIRE_ERR_FRAME_TOO_LARGE.*connection closed/.test(l)));
  await r.close();
  for (const c of conns) c.destroy();
});

test('allow= admits only the listed addresses, and is refused on a connecting URL', { timeout: 120_000 }, async () => {
  const out = await publishTo('tcp://127.0.0.1:0?listen&wire=len-jpeg&allow=10.0.0.0/8,192.168.1.7');
  closers.push(() => out.close());
  const s = await rawConnect(out.port);
  await new Promise((res) => s.on('close', res));
  assert.ok(logs.some((l) => /refused 1 connection\(s\) from addresses outside allow=/.test(l)));
  const ok = await publishTo('tcp://127.0.0.1:0?listen&wire=len-jpeg&allow=127.0.0.0/8');
  closers.push(() => ok.close());
  const s2 = await rawConnect(ok.port);
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(s2.destroyed, false);
  s2.destroy();
  await assert.rejects(publishTo('tcp://127.0.0.1:9?wire=len-jpeg&allow=10.0.0.0/8'), /allow= limits who may reach a listening URL/);
  await assert.rejects(publishTo('tcp://127.0.0.1:0?listen&wire=len-jpeg&allow=10.0.0.0/33'), /not an address or CIDR block/);
  await assert.rejects(publishTo('tcp://127.0.0.1:0?listen&wire=countdown'), /wire=countdown is not a tcp:\/\/ format; use wire=len-jpeg, wire=pickle-jpeg, wire=pickle-bgr/);
});

test('the CLI: serve --stream pulls an old camera into the hub, and view reads it like any stream', { timeout: 120_000 }, async (t) => {
  if (!requirePython(t)) return;
  const cport = await freePort();
  py('old_programs.py', ['len-jpeg-camera', cport, 600]);
  const hport = await freePort();
  const hub = camwire(['serve', '--tcp', String(hport), '--http', '0', '--host', '127.0.0.1', '--stream', `robot=tcp://127.0.0.1:${cport}?wire=len-jpeg`]);
  closers.push(() => hub.stop());
  await hub.waitFor(/connected to tcp:\/\/127\.0\.0\.1:\d+\?wire=len-jpeg \(receiving\)/, 60_000);
  const viewer = camwire(['view', `tcp://127.0.0.1:${hport}/robot`, '--frames', '5', '--json']);
  closers.push(() => viewer.stop());
  assert.equal(await viewer.exited, 0);
  await viewer.waitFor(/"type":"summary".*"frames":5.*"width":320,"height":240/);
});
