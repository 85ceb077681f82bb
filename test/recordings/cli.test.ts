import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Hub } from '../../src/hub/hub.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { setLogLevel } from '../../src/util/logger.js';
import { camwire } from '../helpers/cli.js';
import { h264Frames } from '../../support/h264.js';
import { ffprobeFrames, tempDir } from '../../support/media.js';
import { frameMd5s, publishTimed, recorderOptions } from '../helpers/recordings.js';
import { renderFrames } from '../../support/replay.js';
import { hasTool } from '../helpers/tools.js';

setLogLevel('error');
const tmp = tempDir();
const dir = tmp.file('rec');
const BASE = Date.UTC(2026, 10, 29, 10, 0, 0) * 1000;
const iso = (us: number) => new Date(us / 1000).toISOString();
let h264: ReturnType<typeof h264Frames> = [];
after(() => tmp.cleanup());
before(async () => {
  if (!hasTool('ffmpeg')) return;
  h264 = h264Frames({ width: 320, height: 240, fps: 30, frames: 120, gop: 30 }, 'door');
  const jpegs = await renderFrames({ width: 160, height: 120, fps: 30, quality: 80 }, 60, 'gate');
  const hub = new Hub();
  const rec = new Recorder(hub, recorderOptions(dir, { segmentMs: 1000 }));
  await rec.start();
  await publishTimed(hub.publish('door'), h264, BASE);
  await publishTimed(hub.publish('gate'), jpegs, BASE);
  await rec.close();
  await hub.close();
});

async function run(args: string[]) {
  const p = camwire(args);
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

test('recordings list shows every segment of a span with wall-clock times, for one stream or all', { timeout: 60_000 }, async (t) => {
  if (!hasTool('ffmpeg')) return t.skip('ffmpeg missing');
  const r = await run(['recordings', 'list', 'door', '--record', dir, '--from', iso(BASE), '--to', iso(BASE + 10e6), '--json']);
  assert.equal(r.code, 0, r.err);
  const segs = r.out.trim().split('\n').map((l) => JSON.parse(l) as { startUs: number; frames: number; codec: string });
  assert.deepEqual(segs.map((s) => s.frames), [30, 30, 30, 30]);
  assert.equal(segs[0].startUs, BASE);
  const all = await run(['recordings', 'list', '--record', dir, '--from', iso(BASE), '--to', iso(BASE + 10e6)]);
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /^door .* h264 320x240 {2}30 frames/m);
  assert.match(all.out, /^gate .* mjpeg 160x120 {2}30 frames/m);
});

test('recordings export: H.264 remuxed frame for frame from the keyframe before --from; MJPEG converted to H.264 by ffmpeg', { timeout: 60_000 }, async (t) => {
  if (!hasTool('ffmpeg')) return t.skip('ffmpeg missing');
  const out = tmp.file('door.mp4');
  const r = await run(['recordings', 'export', 'door', '--record', dir, '--from', iso(BASE + 1.5e6), '--to', iso(BASE + 3e6), '-o', out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /30 frames|45 frames|60 frames/);
  const original = tmp.file('door.h264');
  writeFileSync(original, Buffer.concat(h264.map((f) => f.payload)));
  assert.deepEqual(frameMd5s(out), frameMd5s(original, 'h264').slice(30, 90), 'from the keyframe at 1 s to just before 3 s');

  const gate = tmp.file('gate.mp4');
  const g = await run(['recordings', 'export', 'gate', '--record', dir, '--from', iso(BASE), '--to', iso(BASE + 2e6), '-o', gate]);
  assert.equal(g.code, 0, g.err);
  const codec = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', gate]);
  assert.equal(String(codec.stdout).trim(), 'h264');
  assert.equal(ffprobeFrames(gate), 60);
});

test('recordings: clear errors for a missing directory flag, an empty span and a bad time; --help', { timeout: 30_000 }, async () => {
  const noDir = await run(['recordings', 'list']);
  assert.equal(noDir.code, 2);
  assert.match(noDir.err, /give --record DIR/);
  const empty = await run(['recordings', 'export', 'door', '--record', dir, '--from', '2001-01-01T00:00:00Z', '--to', '2001-01-01T00:01:00Z', '-o', tmp.file('none.mp4')]);
  assert.equal(empty.code, 1);
  assert.match(empty.err, /^camwire: nothing recorded for "door" between/);
  const bad = await run(['recordings', 'export', 'door', '--record', dir, '--from', 'yesterday-ish', '-o', tmp.file('x.mp4')]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--from "yesterday-ish" is not a time/);
  const help = await run(['recordings', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /camwire recordings export STREAM --from TIME --to TIME -o FILE.mp4/);
});
