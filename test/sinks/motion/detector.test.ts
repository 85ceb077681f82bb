import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MotionZone } from '../../../src/config/motion-zones.js';
import { MotionDetector, thresholds, type Analysis } from '../../../src/sinks/motion/detector.js';
import { MotionTracker, START_PICTURES } from '../../../src/sinks/motion/tracker.js';
import { zoneMasks, WHOLE_PICTURE } from '../../../src/sinks/motion/zone-mask.js';
import { Scene, type Look } from '../../../support/scene.js';

const W = 160;
const H = 90;
const STEP_MS = 200; // 5 analysed pictures a second
const WARMUP_MS = 2000;
const LEFT_HALF: MotionZone = { name: 'left', points: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] };
const RIGHT_HALF: MotionZone = { name: 'right', exclude: true, points: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] };

/** run feeds `count` pictures made by `look(i)` at 5 fps and returns every verdict. */
function run(det: MotionDetector, scene: Scene, count: number, look: (i: number) => Look, fromMs = 0): Analysis[] {
  const out: Analysis[] = [];
  for (let i = 0; i < count; i++) out.push(det.analyse(scene.picture(look(i)), fromMs + i * STEP_MS));
  return out;
}

/** movingBox: a dark box gliding right along y from x0, 1 % of the width per picture. */
const movingBox = (x0: number, y: number, i: number) => ({ x: x0 + 0.01 * i, y, size: 0.12, shade: 20 });

function warmed(zones: MotionZone[] = [], sensitivity = 50): { det: MotionDetector; scene: Scene } {
  const det = new MotionDetector({ width: W, height: H, zones, sensitivity, warmupMs: WARMUP_MS });
  const scene = new Scene(W, H, 7);
  run(det, scene, WARMUP_MS / STEP_MS + 1, () => ({ noise: 3 }));
  return { det, scene };
}

test('a box moving inside an include zone is motion in that zone, from the first picture it moved', () => {
  const { det, scene } = warmed([LEFT_HALF]);
  const t0 = 10_000;
  const v = run(det, scene, 10, (i) => ({ noise: 3, boxes: [movingBox(0.2, 0.5, i)] }), t0);
  assert.ok(v.every((a) => a.motion), `scores ${v.map((a) => a.score.toFixed(3))}`);
  assert.ok(v.every((a) => a.zone === 'left'));
  const tracker = new MotionTracker(3000);
  const steps = v.map((a, i) => tracker.push(a, t0 + i * STEP_MS));
  const startedAt = steps.findIndex((s) => s.started);
  assert.equal(startedAt, START_PICTURES - 1, 'confirmed by the second picture with motion');
  assert.equal(steps[startedAt].started!.startMs, t0, 'the event starts at the first picture with motion');
  assert.equal(steps[startedAt].started!.zone, 'left');
});

test('a box moving only outside the include zone, or inside an exclude zone, is not motion', () => {
  for (const zones of [[LEFT_HALF], [RIGHT_HALF]]) {
    const { det, scene } = warmed(zones);
    const v = run(det, scene, 15, (i) => ({ noise: 3, boxes: [movingBox(0.65, 0.5, i)] }), 10_000);
    assert.ok(v.every((a) => !a.motion), `${zones[0].name}: scores ${v.map((a) => a.score.toFixed(3))}`);
  }
  // The same box on the watched side with the exclude zone in place is seen (the zone is not blind).
  const { det, scene } = warmed([RIGHT_HALF]);
  const v = run(det, scene, 5, (i) => ({ noise: 3, boxes: [movingBox(0.2, 0.5, i)] }), 10_000);
  assert.ok(v.every((a) => a.motion && a.zone === WHOLE_PICTURE));
});

test('ten minutes of a noisy still scene at 5 fps give no motion at any sensitivity up to 80', () => {
  for (const sensitivity of [50, 80]) {
    const { det, scene } = warmed([], sensitivity);
    const v = run(det, scene, 3000, () => ({ noise: 6 }), 10_000);
    const hits = v.filter((a) => a.motion).length;
    assert.equal(hits, 0, `sensitivity ${sensitivity}: ${hits} pictures with motion, max score ${Math.max(...v.map((a) => a.score))}`);
  }
});

test('a slow light change, and a sudden one over the whole picture, are not motion', () => {
  const { det, scene } = warmed();
  // Dusk: 50 grey levels darker over 60 s (the darkest background pixel is 60: nothing clips).
  const dusk = run(det, scene, 300, (i) => ({ noise: 3, light: -50 * (i / 300) }), 10_000);
  assert.ok(dusk.every((a) => !a.motion), `dusk max score ${Math.max(...dusk.map((a) => a.score))}`);
  // Auto-exposure: a jump of 40 levels from one picture to the next, and back.
  const jump = run(det, scene, 20, (i) => ({ noise: 3, light: -50 + (i >= 5 && i < 12 ? 40 : 0) }), 70_000);
  assert.ok(jump.every((a) => !a.motion), `jump scores ${jump.map((a) => a.score.toFixed(3))}`);
  assert.ok(jump.some((a) => a.lightShift >= 35), 'the jump was taken out as light');
  // And motion under the new light is still seen.
  const after = run(det, scene, 5, (i) => ({ noise: 3, light: -50, boxes: [movingBox(0.3, 0.4, i)] }), 80_000);
  assert.ok(after.every((a) => a.motion));
});

test('nothing is reported during the warm-up, even with a box moving from the start', () => {
  const det = new MotionDetector({ width: W, height: H, warmupMs: WARMUP_MS });
  const scene = new Scene(W, H, 3);
  const v = run(det, scene, 30, (i) => ({ noise: 3, boxes: i < 20 ? [] : [movingBox(0.2, 0.5, i - 20)] }));
  const warm = v.filter((_, i) => i * STEP_MS < WARMUP_MS);
  assert.ok(warm.length === WARMUP_MS / STEP_MS && warm.every((a) => a.warming && !a.motion));
  assert.ok(v.slice(warm.length, 20).every((a) => !a.warming && !a.motion), 'still scene after warm-up: quiet');
  assert.ok(v.slice(20).every((a) => a.motion), 'box after warm-up: seen');
  // A box moving during the warm-up itself is never reported inside it.
  const det2 = new MotionDetector({ width: W, height: H, warmupMs: WARMUP_MS });
  const v2 = run(det2, scene, 10, (i) => ({ noise: 3, boxes: [movingBox(0.1, 0.5, i * 3)] }));
  assert.ok(v2.every((a) => a.warming && !a.motion));
});

test('sensitivity decides whether a small faint box counts', () => {
  const faint = (i: number): Look => ({ noise: 2, boxes: [{ x: 0.2 + 0.01 * i, y: 0.3, size: 0.06, shade: 140 }] });
  const low = warmed([], 5);
  const high = warmed([], 95);
  assert.ok(run(low.det, low.scene, 5, faint, 10_000).every((a) => !a.motion));
  assert.ok(run(high.det, high.scene, 5, faint, 10_000).every((a) => a.motion));
  const t = [1, 50, 100].map(thresholds);
  assert.ok(t[0].minArea > t[1].minArea && t[1].minArea > t[2].minArea && t[0].k > t[2].k && t[0].floor > t[2].floor);
});

test('an event ends after endMs without motion, at its last picture with motion, with its peak', () => {
  const { det, scene } = warmed();
  const tracker = new MotionTracker(1000);
  const boxes = (i: number) => (i < 8 ? [{ ...movingBox(0.1, 0.5, i * 2), size: 0.08 + 0.02 * Math.min(i, 4) }] : []);
  const steps = run(det, scene, 20, (i) => ({ noise: 3, boxes: boxes(i) }), 10_000).map((a, i) => tracker.push(a, 10_000 + i * STEP_MS));
  const ended = steps.filter((s) => s.ended);
  assert.equal(ended.length, 1);
  assert.equal(steps.filter((s) => s.started).length, 1);
  const ev = ended[0].ended!;
  assert.equal(ev.startMs, 10_000);
  // The box leaves at picture 8, which still differs from the background where it was.
  assert.ok(ev.lastMotionMs >= 10_000 + 7 * STEP_MS && ev.lastMotionMs <= 10_000 + 9 * STEP_MS, `last motion ${ev.lastMotionMs}`);
  assert.ok(ev.peakScore >= 0.02);
  assert.equal(tracker.active, undefined);
});

test('zone masks sample pixel centres, cut exclude zones out and drop empty zones', () => {
  const m = zoneMasks([LEFT_HALF, { name: 'hole', exclude: true, points: [[0, 0], [0.25, 0], [0.25, 1], [0, 1]] }], 8, 4);
  assert.equal(m.length, 1);
  assert.equal(m[0].pixels, 8); // columns 2 and 3 of 8, 4 rows
  assert.deepEqual([...m[0].mask.subarray(0, 8)], [0, 0, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual(zoneMasks([{ name: 'tiny', points: [[0, 0], [0.01, 0], [0, 0.01]] }], 8, 4), []);
  assert.equal(zoneMasks([], 8, 4)[0].pixels, 32);
});

test('a picture smaller than the detector size is refused', () => {
  const det = new MotionDetector({ width: W, height: H });
  assert.throws(() => det.analyse(new Uint8Array(10), 0), RangeError);
});
