import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyframeGate, type GatedFrame } from '../../src/frame/keyframe-gate.js';

const key = (seq: number): GatedFrame => ({ keyframe: true, seq });
const delta = (seq: number): GatedFrame => ({ keyframe: false, seq });

/** passed runs frames through a fresh (or given) gate and returns the seqs it let through. */
function passed(frames: GatedFrame[], gate = new KeyframeGate()): number[] {
  return frames.filter((f) => gate.accept(f)).map((f) => f.seq);
}

test('holds delta frames back until the first keyframe (a viewer joining mid-stream)', () => {
  const gate = new KeyframeGate();
  assert.deepEqual(passed([delta(7), delta(8), key(9), delta(10), delta(11)], gate), [9, 10, 11]);
  assert.equal(gate.held, 2);
  assert.equal(gate.waiting, false);
});

test('after a gap in seq waits for the next keyframe instead of decoding a broken chain', () => {
  const gate = new KeyframeGate();
  assert.deepEqual(passed([key(0), delta(1), delta(3), delta(4), key(5), delta(6)], gate), [0, 1, 5, 6]);
  assert.equal(gate.held, 2);
});

test('a keyframe right after a gap starts a new chain at once', () => {
  assert.deepEqual(passed([key(0), delta(1), key(4), delta(5)]), [0, 1, 4, 5]);
});

test('follows the chain across the 32-bit seq wrap', () => {
  assert.deepEqual(passed([key(0xfffffffe), delta(0xffffffff), delta(0), delta(1)]), [0xfffffffe, 0xffffffff, 0, 1]);
});

test('a repeated or older seq breaks the chain too', () => {
  assert.deepEqual(passed([key(10), delta(11), delta(11), delta(12), key(20)]), [10, 11, 20]);
});

test('reset (a decoder error) makes the gate wait for the next keyframe', () => {
  const gate = new KeyframeGate();
  assert.deepEqual(passed([key(0), delta(1)], gate), [0, 1]);
  gate.reset();
  assert.equal(gate.waiting, true);
  assert.deepEqual(passed([delta(2), delta(3), key(4), delta(5)], gate), [4, 5]);
});
