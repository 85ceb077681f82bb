import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { NalType, nalType, splitAnnexB } from '../../../src/codecs/h264-nal.js';
import { isJpeg } from '../../../src/codecs/jpeg.js';
import { JpegSplitter } from '../../../src/codecs/jpeg-splitter.js';
import type { Frame } from '../../../src/frame/frame.js';
import { Hub } from '../../../src/hub/hub.js';
import type { Reader } from '../../../src/hub/reader.js';
import { isCamwireError } from '../../../src/util/errors.js';
import { ffmpegFile, ffprobeFrames, tempDir, testsrc } from '../../../support/media.js';
import { freePort, waitUntil } from '../../../support/net.js';
import { ffmpegSource, lavfiCamera } from '../../helpers/sources.js';
import { requireTool } from '../../helpers/tools.js';
import { X264_LIVE_ARGS } from '../../../src/sources/ffmpeg/args.js';
import { readFileSync } from 'node:fs';

const tmp = tempDir();
const hub = new Hub();
after(async () => {
  await hub.close();
  tmp.cleanup();
});

let n = 0;
function stream() {
  const name = `s${++n}`;
  return { pub: hub.publish(name, 'test'), read: () => hub.read(name) };
}

async function take(r: Reader, count: number): Promise<Frame[]> {
  const out: Frame[] = [];
  while (out.length < count) {
    const f = await r.next();
    if (!f) break;
    out.push(f);
  }
  return out;
}

test('a stand-in camera gives H.264 frames: a keyframe each second carrying SPS/PPS, sizes from the SPS', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const { pub, read } = stream();
  const r = read();
  const src = ffmpegSource({ spec: { kind: 'camera' }, codec: 'h264', inputArgs: lavfiCamera('320x240', 30) });
  await src.start(pub);
  try {
    const frames = await take(r, 65);
    // (A reader may skip frames when the test is slow: newest frame wins; seq tells which it got.)
    assert.ok(frames.filter((f) => f.keyframe).length >= 2);
    for (const f of frames) {
      assert.equal(f.keyframe, f.seq % 30 === 0, `frame #${f.seq}`);
      assert.equal(f.codec, 'h264');
      assert.equal(f.width, 320);
      assert.equal(f.height, 240);
      const types = splitAnnexB(f.payload).map(nalType);
      assert.equal(types.includes(NalType.IDR), f.keyframe);
      if (f.keyframe) assert.ok(types.includes(NalType.SPS) && types.includes(NalType.PPS));
    }
    const file = tmp.file('cam.h264');
    writeFileSync(file, Buffer.concat(frames.map((f) => f.payload)));
    assert.equal(ffprobeFrames(file), frames.length, 'every frame decodes');
  } finally {
    await src.close();
  }
});

test('a late reader of an H.264 stream starts at a keyframe', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const { pub, read } = stream();
  const src = ffmpegSource({ spec: { kind: 'camera' }, codec: 'h264', gopSeconds: 0.5, inputArgs: lavfiCamera('160x120', 30) });
  await src.start(pub);
  try {
    await waitUntil(() => src.frames >= 20, 10000, '20 frames');
    const late = read();
    const [first] = await take(late, 1);
    assert.ok(first.keyframe, `late reader's first frame #${first.seq} is a keyframe`);
    assert.ok(first.seq >= 15);
  } finally {
    await src.close();
  }
});

test('an H.264 reader that falls behind resumes at the next keyframe, never mid-GOP', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const { pub, read } = stream();
  const r = read();
  const src = ffmpegSource({ spec: { kind: 'camera' }, codec: 'h264', gopSeconds: 0.5, inputArgs: lavfiCamera('160x120', 30) });
  await src.start(pub);
  try {
    await take(r, 3);
    // Not reading for 1 s (30 frames, past the 4-frame DELTA_BURST of hub/reader): frames are skipped.
    await new Promise((res) => setTimeout(res, 1000));
    const [next] = await take(r, 1);
    assert.ok(r.dropped > 0, 'frames were skipped');
    assert.ok(next.keyframe, `after skipping, the reader resumed at #${next.seq}, a keyframe`);
    const rest = await take(r, 5);
    assert.ok(rest.every((f, i) => f.seq === next.seq + i + 1 || f.keyframe), 'then every frame in order, or a new keyframe');
  } finally {
    await src.close();
  }
});

test('restarts ffmpeg killed mid-stream; the stream resumes under the same name with a keyframe', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const { pub, read } = stream();
  const r = read();
  const src = ffmpegSource({ spec: { kind: 'camera' }, codec: 'h264', inputArgs: lavfiCamera('160x120', 30) });
  await src.start(pub);
  try {
    await take(r, 10);
    const pid = src.running!.pid!;
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => src.running!.restarts === 1 && src.running!.pid !== undefined && src.running!.pid !== pid, 10000, 'a restart');
    const before = src.frames;
    const after = await take(r, 10);
    assert.equal(after.length, 10);
    assert.ok(src.frames > before);
    assert.ok(after.some((f) => f.keyframe));
  } finally {
    await src.close();
  }
  assert.equal(src.running!.pid, undefined, 'no ffmpeg left after close');
});

test('passes a camera\'s MJPEG through untouched (-c:v copy)', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const file = ffmpegFile([...testsrc('320x240', 20, 0.5), '-c:v', 'mjpeg', '-q:v', '4', '-f', 'mjpeg'], tmp.file('cam.mjpeg'));
  const original = new JpegSplitter(1 << 20).push(readFileSync(file), 0).map((u) => u.payload);
  const { pub, read } = stream();
  const r = read();
  const src = ffmpegSource({ spec: { kind: 'camera' }, codec: 'mjpeg', inputArgs: ['-re', '-f', 'mjpeg', '-framerate', '20', '-i', file] });
  await src.start(pub);
  try {
    assert.equal(src.copy, true);
    assert.ok(src.args.join(' ').includes('-c:v copy'));
    const frames = await take(r, 5);
    for (const f of frames) assert.deepEqual(f.payload, original[f.seq], `frame #${f.seq} is the camera's own JPEG`);
    assert.ok(frames.every((f) => isJpeg(f.payload) && f.width === 320 && f.height === 240));
  } finally {
    await src.close();
  }
});

test('plays a file in real time, passes its H.264 through, and ends the stream cleanly at its end', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const file = ffmpegFile([...testsrc('320x240', 10, 1), ...X264_LIVE_ARGS, '-g', '5'], tmp.file('clip.mp4'));
  const { pub, read } = stream();
  const r = read();
  const src = ffmpegSource({ spec: { kind: 'file', path: file }, codec: 'h264' });
  const t0 = Date.now();
  await src.start(pub);
  const frames = await take(r, 1000); // ends when the publisher ends
  const elapsed = Date.now() - t0;
  await src.done;
  assert.equal(src.copy, true);
  assert.equal(src.frames, 10, 'every picture of the file was published');
  assert.ok(frames.length >= 1);
  for (const f of frames) assert.equal(f.keyframe, f.seq % 5 === 0, `frame #${f.seq}`);
  assert.ok(elapsed >= 700, `10 frames at 10 fps took ${elapsed} ms, not as fast as possible`);
  assert.ok(r.closed);
});

test('--loop repeats a file, re-encoding it to MJPEG', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const file = ffmpegFile([...testsrc('160x120', 20, 0.25), ...X264_LIVE_ARGS], tmp.file('short.mp4'));
  const { pub, read } = stream();
  const r = read();
  const src = ffmpegSource({ spec: { kind: 'file', path: file }, codec: 'mjpeg', loop: true });
  await src.start(pub);
  try {
    const frames = await take(r, 15); // the file has 5
    assert.equal(frames.length, 15);
    assert.equal(src.copy, false);
    assert.ok(frames.every((f) => f.codec === 'mjpeg' && isJpeg(f.payload)));
  } finally {
    await src.close();
  }
});

test('a missing file, a missing camera and a refused URL each fail start() with one clear line', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const port = await freePort();
  const cases: [Parameters<typeof ffmpegSource>[0]['spec'], RegExp][] = [
    [{ kind: 'file', path: tmp.file('nope.mp4') }, /^file .*nope\.mp4: not found/],
    [{ kind: 'camera', which: '/dev/video99' }, /^camera \/dev\/video99: not found/],
    [{ kind: 'url', url: `http://127.0.0.1:${port}/cam.mjpg` }, /connection refused/],
    [{ kind: 'url', url: `rtsp://admin:secret@127.0.0.1:${port}/s1` }, /connection refused/],
  ];
  for (const [spec, re] of cases) {
    const src = ffmpegSource({ spec, codec: 'h264' });
    await assert.rejects(src.start(stream().pub), (e) => {
      assert.ok(isCamwireError(e, 'CAMWIRE_ERR_SOURCE'), String(e));
      assert.match(e.message, re);
      assert.ok(!e.message.includes('\n') && !e.message.includes('secret'), e.message);
      return true;
    });
    await src.close();
  }
});

test('without failFast a missing file is retried by the one supervisor loop, in the background, until close()', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const path = tmp.file('later.mp4');
  const src = ffmpegSource({ spec: { kind: 'file', path }, codec: 'mjpeg', failFast: false, loop: true });
  const s = stream();
  const r = s.read();
  await src.start(s.pub); // returns at once: the file is not there yet
  try {
    await waitUntil(() => (src.running?.restarts ?? 0) >= 1, 10_000, 'a second attempt to plan the missing file');
    assert.equal(src.running!.pid, undefined, 'no ffmpeg runs while the input cannot be planned');
    // Written aside and renamed, so the planner never sees half a file.
    renameSync(ffmpegFile([...testsrc('64x48', 10, 1), '-c:v', 'libx264', '-pix_fmt', 'yuv420p'], tmp.file('aside.mp4')), path);
    const [f] = await take(r, 1);
    assert.equal(f.codec, 'mjpeg', 'the same loop started ffmpeg once the file appeared');
  } finally {
    await src.close();
    await src.close(); // idempotent
  }
  assert.equal(src.running!.pid, undefined, 'no ffmpeg left after close');
});
