/**
 * HlsStream fed real H.264 (x264, a keyframe a second) with 30 fps capture times: ~200 ms parts,
 * 1 s segments cut at keyframes, a bounded window, and init + segments that ffprobe decodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { HlsStream, WINDOW_SEGMENTS } from '../../../src/sinks/hls/hls-stream.js';
import { h264Frames } from '../../../support/h264.js';
import { ffprobeFrames, tempDir } from '../../../support/media.js';
import { fakeFrame } from '../../helpers/frames.js';
import { requireTool } from '../../helpers/tools.js';

const T0 = 1_800_000_000_000_000;

function feed(s: HlsStream, n: number, from = 0): void {
  const frames = h264Frames({ width: 160, height: 120, fps: 30, frames: 60, gop: 30 }, 'hls');
  for (let i = from; i < from + n; i++) s.write({ ...frames[i % frames.length], seq: i, captureUs: T0 + Math.round((i * 1e6) / 30) });
}

test('parts of ~200 ms, segments of one GOP starting with an independent part, a bounded window; init + segments decode', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const s = new HlsStream();
  assert.equal(s.playlist(), undefined, 'nothing before the first keyframe');
  feed(s, 95); // 3 GOPs and a bit
  const text = s.playlist()!;
  assert.match(text, /#EXT-X-MAP:URI="[0-9a-f]{8}-init\.mp4"/);
  const durations = [...text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
  assert.deepEqual(durations, [1, 1, 1], text);
  const parts = [...text.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="[0-9a-f]{8}-(\d+)\.(\d+)\.m4s"(,INDEPENDENT=YES)?/g)];
  for (const p of parts) assert.ok(Number(p[1]) >= 0.2 && Number(p[1]) <= 0.234, `part ${p[2]}.${p[3]} lasts ${p[1]} s`);
  assert.ok(parts.filter((p) => p[3] === '0').every((p) => p[4]), 'each segment starts with an independent part');
  assert.ok(parts.filter((p) => p[3] !== '0').every((p) => !p[4]));
  assert.equal(s.segment(0)!.length, Buffer.concat([0, 1, 2, 3, 4].map((k) => s.part(0, k)!)).length, 'a segment is its parts');
  const dir = tempDir();
  t.after(() => dir.cleanup());
  const file = dir.file('hls.mp4');
  writeFileSync(file, Buffer.concat([s.init!, s.segment(0)!, s.segment(1)!, s.segment(2)!]));
  assert.equal(ffprobeFrames(file), 90, 'init + 3 segments hold the 90 frames');

  feed(s, 30 * (WINDOW_SEGMENTS + 4), 95);
  const later = s.playlist()!;
  assert.equal([...later.matchAll(/#EXTINF/g)].length, WINDOW_SEGMENTS, 'the window keeps the last segments only');
  assert.equal(s.segment(0), undefined);
  assert.deepEqual(s.next(), { msn: WINDOW_SEGMENTS + 7, part: s.next().part });
});

test('blocking: a wait for a part ends when it is written, or at its timeout; MJPEG is refused', async () => {
  const s = new HlsStream();
  feed(s, 31);
  const next = s.next();
  const waiting = s.until(() => s.part(next.msn, next.part) !== undefined, 5000);
  feed(s, 10, 31);
  assert.equal(await waiting, true);
  assert.equal(await s.until(() => false, 30), false);
  const m = new HlsStream();
  m.write(fakeFrame(1));
  assert.ok(m.wrongCodec);
  s.close();
  assert.equal(s.closed, true);
});
