import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initName, partName, renderPlaylist, segmentName } from '../../../src/sinks/hls/playlist.js';

const parts = (n: number) => Array.from({ length: n }, (_, k) => ({ durationS: 0.2, independent: k === 0 }));

test('an LL-HLS playlist: version 9, blocking reload, part target, map, dated segments, parts of the last segments, a preload hint', () => {
  const segs = [0, 1, 2, 3, 4].map((i) => ({ msn: 10 + i, startUs: Date.UTC(2026, 10, 29, 4, 40, i) * 1000, durationS: 1, parts: parts(5), complete: i < 4 }));
  segs[4].parts = parts(2);
  const text = renderPlaylist({ epoch: 'a1b2c3d4', targetDurationS: 1.02, segments: segs });
  const lines = text.trim().split('\n');
  assert.deepEqual(lines.slice(0, 7), [
    '#EXTM3U',
    '#EXT-X-VERSION:9',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.6',
    '#EXT-X-PART-INF:PART-TARGET=0.2',
    '#EXT-X-MEDIA-SEQUENCE:10',
    '#EXT-X-MAP:URI="a1b2c3d4-init.mp4"',
  ]);
  assert.equal(lines.filter((l) => l.startsWith('#EXTINF:1.000,')).length, 4, 'complete segments only');
  assert.ok(lines.includes('a1b2c3d4-13.m4s') && !lines.includes('a1b2c3d4-14.m4s'));
  assert.ok(!text.includes('a1b2c3d4-10.0.m4s') && !text.includes('a1b2c3d4-11.0.m4s'), 'old segments list no parts');
  assert.ok(text.includes('#EXT-X-PART:DURATION=0.200,URI="a1b2c3d4-12.0.m4s",INDEPENDENT=YES'));
  assert.ok(text.includes('#EXT-X-PART:DURATION=0.200,URI="a1b2c3d4-14.1.m4s"\n'));
  assert.equal(lines.at(-1), '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="a1b2c3d4-14.2.m4s"');
  assert.equal(lines.filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')).length, 5);
  assert.ok(text.includes('#EXT-X-PROGRAM-DATE-TIME:2026-11-29T04:40:00.000Z'));
});

test('after a complete last segment the preload hint names the first part of the next one; names carry the epoch', () => {
  const text = renderPlaylist({ epoch: 'ffff0000', targetDurationS: 1, segments: [{ msn: 0, startUs: 0, durationS: 1, parts: parts(5), complete: true }] });
  assert.ok(text.trim().endsWith('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="ffff0000-1.0.m4s"'));
  assert.ok(text.includes('#EXT-X-TARGETDURATION:1\n'));
  assert.deepEqual([initName('e'), segmentName('e', 3), partName('e', 3, 4)], ['e-init.mp4', 'e-3.m4s', 'e-3.4.m4s']);
});
