import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H264Framer } from '../../src/codecs/h264-framer.js';
import { joinAnnexB } from '../../src/codecs/h264-join.js';
import { NalType, nalType, splitAnnexB } from '../../src/codecs/h264-nal.js';
import { h264Frames } from '../../support/h264.js';
import { requireTool } from '../helpers/tools.js';

const types = (au: Buffer) => splitAnnexB(au).map(nalType);

test('keyframes are exactly the IDR access units, carry SPS and PPS, and sizes come from the SPS', { timeout: 30_000 }, (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const frames = h264Frames({ width: 176, height: 144, fps: 10, frames: 20, gop: 10 });
  assert.equal(frames.length, 20);
  for (const f of frames) {
    const ts = types(f.payload);
    assert.equal(f.keyframe, ts.includes(NalType.IDR), `frame ${f.seq}`);
    if (f.keyframe) assert.ok(ts.includes(NalType.SPS) && ts.includes(NalType.PPS), `keyframe ${f.seq} carries SPS and PPS`);
    assert.deepEqual([f.width, f.height], [176, 144]);
  }
  assert.deepEqual(frames.filter((f) => f.keyframe).map((f) => f.seq), [0, 10]);
});

test('an IDR without parameter sets gets the remembered SPS and PPS put in before its slices', { timeout: 30_000 }, (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const [first, , , , , , , , , , second] = h264Frames({ width: 176, height: 144, fps: 10, frames: 20, gop: 10 });
  const framer = new H264Framer();
  assert.ok(framer.frame(first.payload)?.keyframe);
  const bare = joinAnnexB(splitAnnexB(second.payload).filter((n) => nalType(n) !== NalType.SPS && nalType(n) !== NalType.PPS));
  assert.ok(!types(bare).includes(NalType.SPS));
  const p = framer.frame(bare)!;
  assert.equal(p.keyframe, true);
  const ts = types(p.payload);
  assert.ok(ts.indexOf(NalType.SPS) < ts.indexOf(NalType.IDR) && ts.indexOf(NalType.PPS) < ts.indexOf(NalType.IDR), `order ${ts}`);
  assert.equal(framer.spsInfo?.width, 176);
});

test('pictures before the first SPS, and units with only parameter sets, give no frame', { timeout: 30_000 }, (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const frames = h264Frames({ width: 176, height: 144, fps: 10, frames: 10, gop: 10 });
  const framer = new H264Framer();
  assert.equal(framer.frame(frames[1].payload), undefined, 'a delta frame before any SPS');
  const params = joinAnnexB(splitAnnexB(frames[0].payload).filter((n) => nalType(n) === NalType.SPS || nalType(n) === NalType.PPS));
  assert.equal(framer.frame(params), undefined, 'parameter sets only: remembered, no picture');
  assert.equal(framer.frame(frames[1].payload)?.keyframe, false, 'now the size is known');
});
