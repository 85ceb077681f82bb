/**
 * The GOP cache end to end: a TCP viewer that joins a real H.264 stream mid-GOP gets the cached
 * keyframe first (published before it connected, so it did not wait for the next one), then the
 * frames since in order, and every frame it got decodes. The viewer's own side reads through a
 * queued reader (as a recorder or a downstream hub's cache keeps every frame): `readFrom`'s
 * one-frame slot would itself skip the catch-up burst to the next keyframe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { pullInto } from '../../src/api/remote.js';
import { Hub } from '../../src/hub/hub.js';
import type { Frame } from '../../src/frame/frame.js';
import { nowUs } from '../../src/util/clock.js';
import { h264Frames } from '../../support/h264.js';
import { ffprobeFrames, tempDir } from '../../support/media.js';
import { startTestHub } from '../helpers/streams.js';
import { requireTool } from '../helpers/tools.js';

test('a TCP viewer joining mid-GOP gets the cached keyframe first, then the GOP in order, all decodable', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const gop = 30;
  const frames = h264Frames({ width: 160, height: 120, fps: 30, frames: gop * 2, gop }, 'gop');
  const th = await startTestHub();
  const dir = tempDir();
  t.after(async () => {
    await th.close();
    dir.cleanup();
  });
  const pub = th.server.hub.publish('gop', 'test');
  let seq = 0;
  const send = () => pub.publish({ ...frames[seq % frames.length], seq, captureUs: nowUs() });
  for (; seq < 12; seq++) send(); // 12 frames into the first GOP: keyframe 0 is in the past
  const local = new Hub();
  const viewer = local.read('gop', { label: 'viewer', queue: { frames: 100, bytes: 16 << 20 } });
  const client = pullInto(`tcp://127.0.0.1:${th.server.tcp!.port}/gop`, local, 'gop', { reconnect: false });
  t.after(async () => {
    await client.close();
    await local.close();
  });
  const got: Frame[] = [];
  // The publisher keeps going at 30 fps while the viewer connects and catches up.
  const timer = setInterval(() => {
    send();
    seq++;
  }, 33);
  t.after(() => clearInterval(timer));
  for await (const f of viewer) {
    got.push(f);
    if (got.length === 20) break;
  }
  clearInterval(timer);
  assert.equal(got[0].keyframe, true, 'the first frame is a keyframe');
  assert.equal(got[0].seq, 0, 'the cached keyframe, published before the viewer connected');
  const hubSide = th.server.hub.get('gop')!.stats().readers.find((r) => r.label.startsWith('tcp'));
  assert.equal(hubSide?.dropped, 0, 'the hub reader delivered the catch-up without a drop');
  assert.deepEqual(got.map((f) => f.seq), Array.from({ length: 20 }, (_, i) => i), 'the GOP in order, no frame skipped during the catch-up');
  const file = dir.file('joined.h264');
  writeFileSync(file, Buffer.concat(got.map((f) => f.payload)));
  assert.equal(ffprobeFrames(file, 'h264'), 20, 'every frame the viewer got decodes');
});
