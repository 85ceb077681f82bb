/**
 * motion-zones: the `motionZones` config value — per stream, named polygons in normalised
 * picture coordinates (0,0 top left, 1,1 bottom right) that motion detection watches
 * (include, the default) or ignores (`"exclude": true`). Validated here so a typo in a
 * config file is an error naming the key, not a silently blind camera.
 *
 * ```json
 * { "door": [ { "name": "porch", "points": [[0,0.4],[1,0.4],[1,1],[0,1]] },
 *             { "name": "street", "exclude": true, "points": [[0,0],[1,0],[1,0.2]] } ] }
 * ```
 */
import { isValidStreamName } from '../frame/frame.js';
import { createError } from '../util/errors.js';

/** MotionZone is one polygon of a stream's picture. */
export interface MotionZone {
  /** name appears in events ("porch"); letters, digits, _ - . only, 1–32 characters. */
  name: string;
  /** exclude: motion here is ignored (a road, a tree, a clock), even inside an include zone. */
  exclude?: boolean;
  /** points: 3 or more [x, y] corners, each coordinate 0..1. */
  points: [number, number][];
}

/** MotionZones maps stream names to their zones; a stream with no include zone watches the whole picture. */
export type MotionZones = Record<string, MotionZone[]>;

/** MAX_ZONES_PER_STREAM: 16 regions is more than a person draws on one camera; each costs a mask. */
export const MAX_ZONES_PER_STREAM = 16;
/** MAX_ZONE_POINTS: 64 corners trace any outline at the 1/8-scale analysis resolution. */
export const MAX_ZONE_POINTS = 64;
const ZONE_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * parseMotionZones validates a motionZones value (an object, or its JSON text from the
 * environment) and returns it as given (parsed, for text).
 */
export function parseMotionZones(v: unknown, where: string): MotionZones {
  const bad = (why: string) => createError('CAMWIRE_ERR_CONFIG', `motionZones (${where}): ${why} (see docs/events.md)`);
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw bad('is not valid JSON');
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('must be an object mapping stream names to lists of zones');
  for (const [stream, zones] of Object.entries(v as Record<string, unknown>)) {
    if (!isValidStreamName(stream)) throw bad(`bad stream name "${stream.slice(0, 80)}"`);
    if (!Array.isArray(zones) || zones.length > MAX_ZONES_PER_STREAM) throw bad(`"${stream}" must be a list of at most ${MAX_ZONES_PER_STREAM} zones`);
    zones.forEach((z, i) => checkZone(z, `"${stream}" zone ${i + 1}`, bad));
  }
  return v as MotionZones;
}

function checkZone(z: unknown, what: string, bad: (why: string) => Error): void {
  if (typeof z !== 'object' || z === null || Array.isArray(z)) throw bad(`${what} must be an object with "name" and "points"`);
  const o = z as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['name', 'exclude', 'points'].includes(k)) throw bad(`${what} has unknown key "${k.slice(0, 40)}"`);
  if (typeof o.name !== 'string' || !ZONE_NAME.test(o.name)) throw bad(`${what} needs a "name" of 1–32 letters, digits, _ - .`);
  if (o.exclude !== undefined && typeof o.exclude !== 'boolean') throw bad(`${what}: "exclude" must be true or false`);
  const pts = o.points;
  if (!Array.isArray(pts) || pts.length < 3 || pts.length > MAX_ZONE_POINTS) throw bad(`${what} needs 3–${MAX_ZONE_POINTS} "points"`);
  for (const p of pts) {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((c) => typeof c === 'number' && c >= 0 && c <= 1)) {
      throw bad(`${what}: every point is [x, y] with 0 ≤ x, y ≤ 1 (fractions of the picture), got ${JSON.stringify(p)?.slice(0, 40)}`);
    }
  }
}
