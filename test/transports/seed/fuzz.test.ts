import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzCountdown, fuzzTcp } from '../../../support/seed-fuzz.js';
import { makeFuzzSeeds } from '../../../support/seed-fuzz-seeds.js';

/** FUZZ_N: inputs per parser in CI (CAMWIRE_FUZZ_N overrides; `npm run bench -- seeds-fuzz` runs 1 M). */
const FUZZ_N = Number(process.env.CAMWIRE_FUZZ_N ?? 20_000);

const seeds = makeFuzzSeeds();

for (const wire of ['len-jpeg', 'pickle-jpeg', 'pickle-bgr'] as const) {
  test(`survives ${FUZZ_N} seeded mutations of ${wire} streams: only typed refusals, never a bad picture`, async () => {
    const s = await seeds;
    const r = fuzzTcp(wire, s.streams[wire], FUZZ_N, 0x5eed + wire.length);
    assert.deepEqual(r.failures, []);
    assert.equal(r.inputs, FUZZ_N);
    assert.ok(r.pictures > 0 && Object.keys(r.refused).length > 0, JSON.stringify(r));
  });
}

test(`survives ${FUZZ_N} damaged countdown sequences: every delivered JPEG is one that was sent`, async () => {
  const s = await seeds;
  const r = fuzzCountdown(s.jpegs, FUZZ_N, 0xc0d7);
  assert.deepEqual(r.failures, []);
  assert.ok(r.pictures > 0 && r.refused.dropped > 0, JSON.stringify(r));
});
