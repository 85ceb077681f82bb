import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { v4l2Nodes } from '../../src/sources/ffmpeg/devices.js';
import { camwire, type Proc } from '../helpers/cli.js';
import { ffmpegFile, ffprobeFrames, tempDir, testsrc } from '../../support/media.js';
import { freePort, waitUntil } from '../../support/net.js';
import { alive, childrenNamed } from '../helpers/procs.js';
import { hasTool, requireLinux, requireTool } from '../helpers/tools.js';
import { X264_LIVE_ARGS } from '../../src/sources/ffmpeg/args.js';

const tmp = tempDir();
let clip = '';
const procs: Proc[] = [];
function run(args: string[]): Proc {
  const p = camwire(args);
  procs.push(p);
  return p;
}

before(() => {
  if (hasTool('ffmpeg')) clip = ffmpegFile([...testsrc('320x240', 30, 1), ...X264_LIVE_ARGS, '-g', '15'], tmp.file('lobby.mp4'));
});
after(async () => {
  for (const p of procs) await p.stop();
  tmp.cleanup();
});

async function ffmpegChild(p: Proc): Promise<number> {
  let pids: number[] = [];
  await waitUntil(() => (pids = childrenNamed(p.child.pid!, 'ffmpeg')).length === 1, 10000, 'camwire to start ffmpeg');
  return pids[0];
}

test('serve --stream pulls a looping file as H.264 and view --output writes an Annex B file ffmpeg plays', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const port = await freePort();
  const hub = run(['serve', '--tcp', String(port), '--http', '0', '--stream', `lobby=file:${clip}`, '--loop', '--codec', 'h264']);
  await hub.waitFor(/pulling "lobby"/);
  const out = tmp.file('lobby.h264');
  const viewer = run(['view', `tcp://127.0.0.1:${port}/lobby`, '--frames', '45', '--output', out, '--json']);
  assert.equal(await viewer.exited, 0, viewer.stderr());
  const summary = JSON.parse(viewer.stdout().trim().split('\n').pop()!);
  assert.equal(summary.frames, 45);
  assert.equal(ffprobeFrames(out), 45, 'every written frame decodes');
});

test('no ffmpeg outlives a SIGKILLed camwire', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireLinux(t, 'finds the ffmpeg child in /proc')) return;
  const port = await freePort();
  const p = run(['send', `file:${clip}`, `tcp://127.0.0.1:${port}/lobby?listen`, '--loop']);
  await p.waitFor(/serving "lobby"/);
  const ff = await ffmpegChild(p);
  p.child.kill('SIGKILL');
  await p.exited;
  await waitUntil(() => !alive(ff), 5000, `ffmpeg ${ff} to exit after camwire was killed`);
});

test('Ctrl-C stops camwire and its ffmpeg, exit code 0', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg') || !requireLinux(t, 'finds the ffmpeg child in /proc')) return;
  const port = await freePort();
  const p = run(['send', `file:${clip}`, `tcp://127.0.0.1:${port}/lobby?listen`, '--loop', '--codec', 'h264']);
  await p.waitFor(/serving "lobby"/);
  const ff = await ffmpegChild(p);
  assert.equal(await p.stop(), 0);
  assert.equal(alive(ff), false);
});

test('a missing file is one clear error line and exit code 1', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const p = run(['send', `file:${tmp.file('missing.mp4')}`, 'tcp://127.0.0.1:9/x', '--no-reconnect']);
  assert.equal(await p.exited, 1);
  const lines = p.stderr().trim().split('\n').filter((l) => l.startsWith('camwire:'));
  assert.equal(lines.length, 1, p.stderr());
  assert.match(lines[0], /missing\.mp4: not found/);
});

test('devices says "no cameras found" on a machine without cameras; doctor names ffmpeg and its codecs', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  if (process.platform === 'linux' && v4l2Nodes().length === 0) {
    const d = run(['devices']);
    assert.equal(await d.exited, 0);
    assert.match(d.stdout(), /no cameras found/);
  }
  const doc = run(['doctor']);
  assert.equal(await doc.exited, 0, doc.stdout());
  assert.match(doc.stdout(), /ffmpeg: +\S+ .*version \S+/);
  assert.match(doc.stdout(), /libx264: yes/);
});

test('doctor finds the ffmpeg bundled through npm when none is on PATH', { timeout: 30_000 }, async (t) => {
  if (!existsSync(new URL('../../../node_modules/@ffmpeg-installer/ffmpeg/package.json', import.meta.url))) return t.skip('optional @ffmpeg-installer/ffmpeg not installed on this platform');
  const doc = camwire(['doctor'], { PATH: '/nonexistent' });
  procs.push(doc);
  await doc.exited;
  assert.match(doc.stdout(), /bundled \(@ffmpeg-installer\/ffmpeg\)\), version/);
});
