/**
 * detector: motion in a sequence of small grayscale pictures (pure: no I/O, no clock — times
 * come with the pictures).
 *
 * Per picture:
 * 1. Light: the median difference between picture and background is the global brightness
 *    change (clouds, auto-exposure, dusk); it is taken out before anything is compared, so a
 *    change of light over the whole picture is never motion.
 * 2. Per pixel: a running-average background and a running variance of its difference. A pixel
 *    has changed when its light-corrected difference exceeds a floor and k standard deviations
 *    of its noise: the larger of that pixel's own history (a waving tree or a noisy dark corner
 *    learns a wider band than a still wall) and the whole picture's noise in this very picture
 *    (median absolute difference × 1.4826, which a moving object under half the picture does
 *    not move), so a pixel whose history is still short is never judged on too narrow a band.
 * 3. Shape: a changed pixel counts only with at least NEIGHBOURS_NEEDED changed pixels in its
 *    3×3 neighbourhood (itself included): speckle noise is isolated, a moving object is not.
 * 4. Zones: the score of a zone is the share of its pixels that changed; motion is a zone whose
 *    score reaches the minimum area.
 * 5. Learning: the background follows each picture with the time constant LEARN_MS, so slow
 *    light changes and objects that came to rest are absorbed; changed pixels learn ten times
 *    slower, so a person standing still is not absorbed in a moment. During the warm-up the
 *    background is the plain average of what was seen, and nothing is reported.
 *
 * `sensitivity` (1–100) moves the floor, k and the minimum area together (see thresholds()).
 */
import type { MotionZone } from '../../config/motion-zones.js';
import { zoneMasks, type ZoneMask } from './zone-mask.js';

/** LEARN_MS: the background's time constant; a slow light change (minutes) is followed, a walk past (seconds) is not. */
export const LEARN_MS = 5000;
/** FOREGROUND_LEARN_FACTOR: changed pixels learn 10× slower, so an object at rest fades in over ~LEARN_MS×10. */
export const FOREGROUND_LEARN_FACTOR = 0.1;
/** NEIGHBOURS_NEEDED: of the 9 pixels around a changed one, this many must have changed (a box's corner has 4). */
export const NEIGHBOURS_NEEDED = 4;
/** MIN_VARIANCE: a pixel's noise band never shrinks below 1 grey level (JPEG rounding). */
const MIN_VARIANCE = 1;
/** MAX_GAP_MS: a gap longer than this (stream stalled) learns no more than this much time. */
const MAX_GAP_MS = 10_000;

/** DetectorOptions: the picture size and how to judge it. */
export interface DetectorOptions {
  width: number;
  height: number;
  /** zones: polygons to watch or ignore (none: the whole picture). */
  zones?: readonly MotionZone[];
  /** sensitivity: 1 (only large, strong changes) … 100 (small, faint ones); 50 by default. */
  sensitivity?: number;
  /** warmupMs: time from the first picture during which the background is learnt and nothing is reported. */
  warmupMs?: number;
}

/** ZoneScore is one zone's share of changed pixels in one picture. */
export interface ZoneScore {
  name: string;
  score: number;
}

/** Analysis is the verdict on one picture. */
export interface Analysis {
  /** warming: still inside the warm-up; motion is always false then. */
  warming: boolean;
  motion: boolean;
  /** score: the highest zone score (0–1), zone: that zone's name. */
  score: number;
  zone: string;
  zones: ZoneScore[];
  /** lightShift: the brightness change taken out as light, in grey levels. */
  lightShift: number;
}

/** Thresholds are what a sensitivity means. */
export interface Thresholds {
  /** floor: grey levels a pixel must change by at the least. */
  floor: number;
  /** k: standard deviations of the pixel's own noise it must change by. */
  k: number;
  /** minArea: share of a zone's pixels that must change. */
  minArea: number;
}

/** thresholds maps a sensitivity 1–100 to its floor, k and minimum area (50: 15 levels, 3.8 σ, 0.55 %). */
export function thresholds(sensitivity: number): Thresholds {
  const f = (Math.min(100, Math.max(1, sensitivity)) - 1) / 99;
  return { floor: 24 - 18 * f, k: 5 - 2.5 * f, minArea: 0.03 * (0.001 / 0.03) ** f };
}

/** MotionDetector judges pictures of one fixed size; see the file comment. */
export class MotionDetector {
  readonly width: number;
  readonly height: number;
  private readonly masks: ZoneMask[];
  private readonly t: Thresholds;
  private readonly warmupMs: number;
  private readonly bg: Float32Array;
  private readonly variance: Float32Array;
  private readonly changed: Uint8Array;
  private readonly diff: Float32Array;
  private readonly hist = new Uint32Array(511);
  private seen = 0;
  private firstMs = 0;
  private lastMs = 0;

  constructor(opts: DetectorOptions) {
    this.width = opts.width;
    this.height = opts.height;
    this.masks = zoneMasks(opts.zones ?? [], opts.width, opts.height);
    this.t = thresholds(opts.sensitivity ?? 50);
    this.warmupMs = opts.warmupMs ?? 2000;
    const n = opts.width * opts.height;
    this.bg = new Float32Array(n);
    this.variance = new Float32Array(n);
    this.changed = new Uint8Array(n);
    this.diff = new Float32Array(n);
  }

  /** thresholds in force (from the sensitivity). */
  get thresholds(): Thresholds {
    return this.t;
  }

  /** analyse judges `gray` (width×height bytes, row by row) taken at `timeMs`, then learns from it. */
  analyse(gray: Uint8Array, timeMs: number): Analysis {
    const n = this.width * this.height;
    if (gray.length < n) throw new RangeError(`picture has ${gray.length} bytes, expected ${n}`);
    if (this.seen === 0) {
      for (let i = 0; i < n; i++) this.bg[i] = gray[i];
      this.variance.fill(MIN_VARIANCE);
      this.seen = 1;
      this.firstMs = this.lastMs = timeMs;
      return this.verdict(true, 0, []);
    }
    const dt = Math.min(MAX_GAP_MS, Math.max(0, timeMs - this.lastMs));
    this.lastMs = timeMs;
    const warming = timeMs - this.firstMs < this.warmupMs;
    this.seen++;
    // During the warm-up the background is the running mean of every picture so far.
    const alpha = Math.max(1 - Math.exp(-dt / LEARN_MS), warming ? 1 / this.seen : 0);
    const { diff, hist } = this;
    for (let i = 0; i < n; i++) diff[i] = gray[i] - this.bg[i];
    const shift = median(hist, diff, n, 0);
    for (let i = 0; i < n; i++) diff[i] -= shift;
    const sigma = 1.4826 * median(hist, diff, n, 1);
    const { floor, k } = this.t;
    const floor2 = floor * floor;
    const k2 = k * k;
    const pictureVariance = sigma * sigma;
    for (let i = 0; i < n; i++) {
      const d = diff[i];
      const d2 = d * d;
      const fg = !warming && d2 > floor2 && d2 > k2 * Math.max(this.variance[i], pictureVariance);
      this.changed[i] = fg ? 1 : 0;
      const a = fg ? alpha * FOREGROUND_LEARN_FACTOR : alpha;
      this.bg[i] += a * (gray[i] - this.bg[i]);
      if (!fg) this.variance[i] = Math.max(MIN_VARIANCE, this.variance[i] + a * (d2 - this.variance[i]));
    }
    if (warming) return this.verdict(true, shift, []);
    return this.verdict(false, shift, this.zoneScores());
  }

  /** zoneScores counts, per zone, changed pixels with enough changed neighbours. */
  private zoneScores(): ZoneScore[] {
    const { width: w, height: h, changed } = this;
    const counts = new Array<number>(this.masks.length).fill(0);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (!changed[i]) continue;
        let around = 0;
        for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
          for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) around += changed[yy * w + xx];
        }
        if (around < NEIGHBOURS_NEEDED) continue;
        for (let z = 0; z < this.masks.length; z++) counts[z] += this.masks[z].mask[i];
      }
    }
    return this.masks.map((m, z) => ({ name: m.name, score: counts[z] / m.pixels }));
  }

  private verdict(warming: boolean, lightShift: number, zones: ZoneScore[]): Analysis {
    let best: ZoneScore = { name: this.masks[0]?.name ?? '', score: 0 };
    for (const z of zones) if (z.score > best.score) best = z;
    return { warming, motion: !warming && best.score >= this.t.minArea, score: best.score, zone: best.name, zones, lightShift };
  }
}

/** median of `values` (abs: of their magnitudes) in whole grey levels, by a 511-bin histogram. */
function median(hist: Uint32Array, values: Float32Array, n: number, abs: 0 | 1): number {
  hist.fill(0);
  for (let i = 0; i < n; i++) {
    const v = Math.round(abs ? Math.abs(values[i]) : values[i]);
    hist[v < -255 ? 0 : v > 255 ? 510 : v + 255]++;
  }
  let acc = 0;
  for (let v = 0; v < hist.length; v++) {
    acc += hist[v];
    if (acc * 2 >= n) return v - 255;
  }
  return 0;
}
