import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startHub } from '../../../src/api/hub-server.js';
import type { StreamEvent } from '../../../src/hub/event-log.js';
import type { Frame } from '../../../src/frame/frame.js';
import { nowUs } from '../../../src/util/clock.js';
import { requireTool } from '../../helpers/tools.js';
import { h264Frames } from '../../../support/h264.js';
import { childrenNamed } from '../../helpers/procs.js';
import { waitUntil } from '../../../support/net.js';
import { Scene } from '../../../support/scene.js';

const FPS = 15;
const MOTION = { motionWarmupMs: 1000, motionEndMs: 1000, tcpPort: null, httpPort: null } as const;

/** play publishes `frames(i)` at FPS in real time with fresh capture times. */
async function play(publish: (f: Frame) => void, count: number, frame: (i: number) => Frame): Promise<void> {
  for (let i = 0; i < count; i++) {
    const f = frame(i);
    publish({ ...f, seq: i, captureUs: nowUs() });
    await new Promise((r) => setTimeout(r, 1000 / FPS));
  }
}

test('an MJPEG stream with a box that moves for 2 s makes one event with a start, an end, a zone and a JPEG snapshot', async () => {
  const scene = new Scene(640, 360, 5);
  const still = await scene.jpeg({ noise: 4 });
  // The box walks across the middle for 2 s (30 frames), then the scene is still again.
  const moving = await Promise.all(Array.from({ length: 30 }, (_, i) => scene.jpeg({ noise: 4, boxes: [{ x: 0.2 + 0.02 * i, y: 0.5, size: 0.15, shade: 15 }] })));
  const server = await startHub({ ...MOTION, motion: 'cam' });
  try {
    const seen: [StreamEvent, string][] = [];
    server.events.log.on('event', (ev, phase) => seen.push([ev, phase]));
    const pub = server.hub.publish('cam');
    const jpegFrame = (payload: Buffer): Frame => ({ stream: 'cam', codec: 'mjpeg', keyframe: true, seq: 0, captureUs: 0, width: 640, height: 360, payload });
    const movedAtUs = nowUs() + (2 * 1000 * 1000);
    await play((f) => pub.publish(f), FPS * 2, () => jpegFrame(still));
    await play((f) => pub.publish(f), 30, (i) => jpegFrame(moving[i]));
    await play((f) => pub.publish(f), FPS * 2, () => jpegFrame(still));
    await waitUntil(() => seen.some(([, p]) => p === 'end'), 5000, 'the event to end');
    const starts = seen.filter(([, p]) => p === 'start');
    assert.equal(starts.length, 1, 'one event');
    const ev = seen.filter(([, p]) => p === 'end').at(-1)![0];
    assert.equal(ev.stream, 'cam');
    assert.equal(ev.zone, 'all');
    assert.ok(ev.startMs >= movedAtUs / 1000 - 300 && ev.endMs! > ev.startMs, `start ${ev.startMs}, end ${ev.endMs}`);
    assert.ok(ev.peakScore > 0.01);
    assert.deepEqual(ev.clip, { fromMs: ev.startMs - 5000, toMs: ev.endMs! + 10000, url: null });
    const jpeg = server.events.log.snapshot(ev.id)!;
    assert.equal((await sharp(jpeg).metadata()).width, 640, 'the snapshot is the stream frame itself');
    assert.equal(ev.snapshot, `/api/events/${ev.id}.jpg`);
    const analysed = server.events.motion!.sinks.get('cam')!.analysed;
    assert.ok(analysed > 10 && analysed < FPS * 6, `analysed ${analysed} of ${FPS * 6} frames: newest wins, at the motion rate`);
  } finally {
    await server.close();
  }
});

test('an H.264 stream is decoded by a supervised ffmpeg only while motion is on; a moving box makes an event', async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const [w, h] = [640, 360];
  // A still grey scene with noise; from 3 s a dark box slides right.
  const frames = h264Frames({
    width: w, height: h, fps: FPS, frames: FPS * 6, gop: FPS * 2, noise: 5,
    // overlay evaluates x per frame (drawbox in ffmpeg 5.1 does not).
    source: `color=c=0x808080:size=${w}x${h}:rate=${FPS}[bg];color=c=black:size=90x90:rate=${FPS}[box];[bg][box]overlay=x='if(gte(t,3),(t-3)*150,20)':y=120:shortest=1`,
  }, 'cam');
  const server = await startHub({ ...MOTION, motion: 'cam' });
  try {
    const seen: StreamEvent[] = [];
    server.events.log.on('event', (ev, phase) => phase === 'start' && seen.push(ev));
    const pub = server.hub.publish('cam');
    await play((f) => pub.publish(f), FPS * 3, (i) => frames[i]);
    const sink = server.events.motion!.sinks.get('cam')!;
    const pid = sink.decoderPid;
    assert.ok(pid && childrenNamed(process.pid, 'ffmpeg').includes(pid), 'the decoder is our ffmpeg child');
    assert.equal(seen.length, 0, 'no event while the scene is still');
    await play((f) => pub.publish(f), FPS * 3, (i) => frames[FPS * 3 + i]);
    await waitUntil(() => seen.length > 0, 3000, 'a motion event');
    assert.ok(server.events.log.snapshot(seen[0].id)!.length > 100, 'a snapshot of the analysed picture');
    assert.ok(sink.analysed > 5);
  } finally {
    await server.close();
  }
  assert.deepEqual(childrenNamed(process.pid, 'ffmpeg'), [], 'no ffmpeg outlives the hub');
});

test('a hub without --motion starts no detection, and a bad stream name in --motion is a clear error', async () => {
  const server = await startHub({ tcpPort: null, httpPort: null });
  try {
    assert.equal(server.events.motion, undefined);
  } finally {
    await server.close();
  }
  await assert.rejects(startHub({ ...MOTION, motion: 'ok,../etc' }), (e: Error & { code?: string }) => e.code === 'CAMWIRE_ERR_BAD_STREAM_NAME' && /--motion/.test(e.message));
});
