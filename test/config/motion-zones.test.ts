import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { MAX_ZONE_POINTS } from '../../src/config/motion-zones.js';
import { isCamwireError } from '../../src/util/errors.js';

const porch = { name: 'porch', points: [[0, 0.5], [1, 0.5], [1, 1]] };

test('motionZones come from a config file or as JSON from the environment', () => {
  const c = loadConfig({ env: { CAMWIRE_MOTION_ZONES: JSON.stringify({ door: [porch, { ...porch, name: 'road', exclude: true }] }) } });
  assert.deepEqual(c.motionZones, { door: [porch, { ...porch, name: 'road', exclude: true }] });
  assert.equal(loadConfig({ env: {}, flags: { motion: 'door,gate', motionSensitivity: '80' } }).motionSensitivity, 80);
});

test('a bad zone or sensitivity is refused with an error naming the key, the stream and the zone', () => {
  const cases: [unknown, RegExp][] = [
    ['{nope', /not valid JSON/],
    [[], /must be an object/],
    [{ '../x': [] }, /bad stream name/],
    [{ door: [{ points: porch.points }] }, /"door" zone 1 needs a "name"/],
    [{ door: [{ name: 'a', points: [[0, 0], [1, 1]] }] }, /needs 3–64 "points"/],
    [{ door: [{ name: 'a', points: [[0, 0], [1, 1], [2, 0]] }] }, /0 ≤ x, y ≤ 1/],
    [{ door: [{ name: 'a', points: Array(MAX_ZONE_POINTS + 1).fill([0, 0]) }] }, /needs 3–64/],
    [{ door: [{ ...porch, colour: 'red' }] }, /unknown key "colour"/],
    [{ door: [{ ...porch, exclude: 'yes' }] }, /"exclude" must be true or false/],
  ];
  for (const [v, re] of cases) {
    assert.throws(() => loadConfig({ env: {}, flags: { motionZones: v } }), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /motionZones \(option\)/.test((e as Error).message) && re.test((e as Error).message), JSON.stringify(v));
  }
  for (const s of ['0', '101', 'high']) assert.throws(() => loadConfig({ env: {}, flags: { motionSensitivity: s } }), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG'));
});
