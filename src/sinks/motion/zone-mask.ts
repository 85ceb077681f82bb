/**
 * zone-mask: turns a stream's motion zones (normalised polygons, config/motion-zones.ts) into
 * per-pixel masks at the analysis resolution (pure). Computed once per picture size.
 */
import type { MotionZone } from '../../config/motion-zones.js';

/** WHOLE_PICTURE names the zone used when a stream has no include zone. */
export const WHOLE_PICTURE = 'all';

/** ZoneMask is one include zone at a given size: which pixels count, less every exclude zone. */
export interface ZoneMask {
  name: string;
  /** mask[y * width + x] is 1 where the pixel belongs to the zone. */
  mask: Uint8Array;
  /** pixels: how many pixels the mask holds (the denominator of the zone's score). */
  pixels: number;
}

/**
 * zoneMasks rasterises `zones` at `width`×`height`, sampling each pixel at its centre. With no
 * include zone the whole picture is one zone named WHOLE_PICTURE; exclude zones are cut out of
 * every include zone. A zone left with no pixel is dropped.
 */
export function zoneMasks(zones: readonly MotionZone[], width: number, height: number): ZoneMask[] {
  const includes = zones.filter((z) => !z.exclude);
  const excluded = new Uint8Array(width * height);
  for (const z of zones) if (z.exclude) fill(excluded, z.points, width, height);
  const wanted = includes.length ? includes : [{ name: WHOLE_PICTURE, points: [[0, 0], [1, 0], [1, 1], [0, 1]] as [number, number][] }];
  const out: ZoneMask[] = [];
  for (const z of wanted) {
    const mask = new Uint8Array(width * height);
    fill(mask, z.points, width, height);
    let pixels = 0;
    for (let i = 0; i < mask.length; i++) {
      if (excluded[i]) mask[i] = 0;
      pixels += mask[i];
    }
    if (pixels > 0) out.push({ name: z.name, mask, pixels });
  }
  return out;
}

/** fill sets the pixels whose centre lies inside `poly` (even-odd rule). */
function fill(mask: Uint8Array, poly: readonly [number, number][], width: number, height: number): void {
  for (let y = 0; y < height; y++) {
    const py = (y + 0.5) / height;
    for (let x = 0; x < width; x++) {
      if (inside(poly, (x + 0.5) / width, py)) mask[y * width + x] = 1;
    }
  }
}

function inside(poly: readonly [number, number][], px: number, py: number): boolean {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}
