import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { camwire, type Proc } from '../helpers/cli.js';
import { freePort, waitUntil } from '../../support/net.js';

const procs: Proc[] = [];
const dirs: string[] = [];
const run = (args: string[]) => {
  const p = camwire(args);
  procs.push(p);
  return p;
};
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'camwire-e2e-'));
  dirs.push(d);
  return d;
};

after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** jsonLines parses the JSON lines `camwire view --json` printed. */
function jsonLines(p: Proc): Record<string, any>[] {
  return p.stdout().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('serve + send + view: N frames arrive in order, each a decodable JPEG of the requested size', async () => {
  const port = await freePort();
  const hub = run(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  await hub.waitFor(/hub listening/);
  const sender = run(['send', 'testsrc', `tcp://127.0.0.1:${port}/lab`, '--size', '320x240', '--fps', '30']);
  const out = tmp();
  const viewer = run(['view', `tcp://127.0.0.1:${port}/lab`, '--frames', '40', '--output', out, '--json']);
  assert.equal(await viewer.exited, 0, viewer.stderr());
  const files = readdirSync(out).sort();
  assert.equal(files.length, 40);
  for (const f of files) {
    const meta = await sharp(readFileSync(join(out, f))).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 320);
    assert.equal(meta.height, 240);
  }
  const lines = jsonLines(viewer);
  const summary = lines.at(-1)!;
  assert.equal(summary.type, 'summary');
  assert.equal(summary.frames, 40);
  for (const k of ['fps', 'kbps', 'dropped', 'latencyP50Ms', 'latencyP95Ms']) assert.equal(typeof summary[k], 'number', k);
  assert.ok(summary.latencyP50Ms > 0 && summary.latencyP50Ms < 1000);
  await sender.stop();
  await hub.stop();
});

test('a viewer writes a concatenated MJPEG file and frames arrive in sequence order', async () => {
  const port = await freePort();
  const sender = run(['send', 'testsrc', `tcp://127.0.0.1:${port}?listen`, '--size', '160x120']);
  await sender.waitFor(/serving "default"/);
  const file = join(tmp(), 'out.mjpeg');
  const viewer = run(['view', `tcp://127.0.0.1:${port}`, '--frames', '15', '--output', file]);
  assert.equal(await viewer.exited, 0, viewer.stderr());
  const bytes = readFileSync(file);
  let jpegs = 0;
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xd8) jpegs++;
  assert.equal(jpegs, 15);
  await sender.stop();
});

test('a listening sender serves several viewers at once', async () => {
  const port = await freePort();
  const sender = run(['send', 'testsrc', `tcp://127.0.0.1:${port}?listen`, '--size', '160x120']);
  await sender.waitFor(/serving/);
  const viewers = [1, 2, 3].map(() => run(['view', `tcp://127.0.0.1:${port}`, '--frames', '20', '--json']));
  for (const v of viewers) {
    assert.equal(await v.exited, 0, v.stderr());
    assert.equal(jsonLines(v).at(-1)!.frames, 20);
  }
  await sender.stop();
});

test('a sender and a viewer started before the hub, and surviving a hub restart, keep streaming', async () => {
  const port = await freePort();
  const sender = run(['send', 'testsrc', `tcp://127.0.0.1:${port}/lab`, '--size', '160x120']);
  const viewer = run(['view', `tcp://127.0.0.1:${port}/lab`, '--json']);
  await sender.waitFor(/cannot connect to tcp:\/\/127\.0\.0\.1:\d+: connection refused \(is "camwire serve" running there\?\); retrying/);
  let hub = run(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  await viewer.waitFor(/"frames":[1-9]/);
  await hub.stop();
  await viewer.waitFor(/retrying/);
  const framesBefore = jsonLines(viewer).at(-1)!.frames as number;
  hub = run(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  await waitUntil(() => (jsonLines(viewer).at(-1)!.frames as number) > framesBefore + 5, 15000, 'frames after the restart');
  assert.equal(await viewer.stop(), 0);
  assert.equal(await sender.stop(), 0);
  await hub.stop();
});

test('the stream ends cleanly: a sender with --frames ends, the viewer gets END and exits 0', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const hub = run(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  await hub.waitFor(/hub listening/);
  const viewer = run(['view', `tcp://127.0.0.1:${port}/short`, '--json']);
  // The viewer must be attached before the 10-frame stream starts, or it would join after END
  // (a fixed 300 ms head start was not enough on a loaded machine and the test hung).
  await viewer.waitFor(/connected to tcp:/);
  const sender = run(['send', 'testsrc', `tcp://127.0.0.1:${port}/short`, '--size', '160x120', '--frames', '10']);
  assert.equal(await sender.exited, 0, sender.stderr());
  assert.equal(await viewer.exited, 0, viewer.stderr());
  assert.ok((jsonLines(viewer).at(-1)!.frames as number) >= 1);
  await hub.stop();
});

test('errors are one clear line and a non-zero exit', async () => {
  const port = await freePort();
  const cases: [string[], RegExp, number][] = [
    [['view', `tcp://127.0.0.1:${port}/x`, '--no-reconnect'], /^camwire: cannot connect to tcp:\/\/127\.0\.0\.1:\d+: connection refused \(is "camwire serve" or a listening "camwire send" running there\?\)\n$/, 1],
    [['send', 'testsrc', 'http://x/y'], /^camwire: "http:\/\/x\/y": unsupported scheme "http" \(use tcp:\/\/\)\n$/, 2],
    [['send', 'nosuch', `tcp://127.0.0.1:${port}/x`], /^camwire: unknown source "nosuch"/, 2],
    [['send', 'testsrc', `tcp://127.0.0.1:${port}/x`, '--size', 'big'], /^camwire: --size "big" must look like 1280x720\n$/, 2],
    [['view', `tcp://127.0.0.1:${port}/x`, '--bogus'], /^camwire: Unknown option '--bogus'.*see "camwire view --help"/, 2],
    [['frobnicate'], /^camwire: unknown command "frobnicate"/, 2],
  ];
  for (const [args, re, code] of cases) {
    const p = run(args);
    assert.equal(await p.exited, code, args.join(' '));
    assert.match(p.stderr(), re);
  }
});

test('a port already in use is reported clearly', async () => {
  const port = await freePort();
  const a = run(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  await a.waitFor(/hub listening/);
  const b = run(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  assert.equal(await b.exited, 1);
  assert.match(b.stderr(), /port already in use/);
  await a.stop();
});

test('every command has --help', async () => {
  for (const cmd of ['', 'serve', 'send', 'view', 'demo']) {
    const p = run(cmd ? [cmd, '--help'] : ['--help']);
    assert.equal(await p.exited, 0);
    assert.match(p.stdout(), /Usage: camwire/);
  }
});

test('Ctrl-C ends serve, send and view cleanly with exit code 0', async () => {
  const port = await freePort();
  const hub = run(['serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1']);
  await hub.waitFor(/hub listening/);
  const sender = run(['send', 'testsrc', `tcp://127.0.0.1:${port}/c`, '--size', '160x120']);
  const viewer = run(['view', `tcp://127.0.0.1:${port}/c`, '--json']);
  await viewer.waitFor(/"frames":[1-9]/);
  assert.equal(await viewer.stop(), 0);
  assert.equal(await sender.stop(), 0);
  assert.equal(await hub.stop(), 0);
});
