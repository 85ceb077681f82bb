/**
 * stats: the counters behind every stream and reader figure (fps, bitrate, latency).
 *
 * Latency is kept in microseconds, the unit of Frame.captureUs and nowUs(); only the edges
 * (API JSON, metrics, CLI lines) convert, to ms or seconds.
 */

/** RATE_WINDOW_MS: rates are measured over one-second windows, the unit users read fps in. */
export const RATE_WINDOW_MS = 1000;

/**
 * RateMeter turns event and byte counts into per-second rates over the last complete window.
 * A meter that saw nothing for two windows reads zero, so a stalled stream shows 0 fps.
 */
export class RateMeter {
  private count = 0;
  private bytes = 0;
  private windowStart = Date.now();
  private lastFps = 0;
  private lastBps = 0;

  /** add records one event of `bytes` bytes. */
  add(bytes: number, now = Date.now()): void {
    this.roll(now);
    this.count++;
    this.bytes += bytes;
  }

  /** fps is events per second in the last complete window. */
  fps(now = Date.now()): number {
    this.roll(now);
    return this.lastFps;
  }

  /** bitsPerSecond is payload bits per second in the last complete window. */
  bitsPerSecond(now = Date.now()): number {
    this.roll(now);
    return this.lastBps;
  }

  private roll(now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed < RATE_WINDOW_MS) return;
    // After an idle gap the window simply spans it, so a stalled stream reads (close to) 0.
    this.lastFps = (this.count * 1000) / elapsed;
    this.lastBps = (this.bytes * 8000) / elapsed;
    this.count = 0;
    this.bytes = 0;
    this.windowStart = now;
  }
}

/** LATENCY_BUCKETS_US: histogram upper bounds in µs, dense where live video lives (1–200 ms). */
export const LATENCY_BUCKETS_US = [1, 2, 5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000].map((ms) => ms * 1000);

/** LATENCY_SAMPLES: percentiles come from the newest 1024 samples (~34 s at 30 fps). */
export const LATENCY_SAMPLES = 1024;

/**
 * LatencyStats keeps a cumulative histogram (for Prometheus) and a ring of recent samples (for
 * p50/p95/p99), both bounded in memory whatever the frame rate.
 */
export class LatencyStats {
  private readonly ring = new Float64Array(LATENCY_SAMPLES);
  private n = 0;
  /** buckets[i] counts samples ≤ LATENCY_BUCKETS_US[i] (not cumulative; the exporter sums). */
  readonly buckets = new Array<number>(LATENCY_BUCKETS_US.length + 1).fill(0);
  /** count is every sample ever added. */
  count = 0;
  /** sumUs is the sum of every sample ever added, µs. */
  sumUs = 0;

  /** add records one latency in µs. */
  add(us: number): void {
    this.ring[this.n++ % LATENCY_SAMPLES] = us;
    this.count++;
    this.sumUs += us;
    let i = 0;
    while (i < LATENCY_BUCKETS_US.length && us > LATENCY_BUCKETS_US[i]) i++;
    this.buckets[i]++;
  }

  /** percentileUs returns the p-th percentile (0..100) of recent samples in µs, or NaN if none. */
  percentileUs(p: number): number {
    return percentiles(this.recent(), [p])[0];
  }

  /** percentileMs is percentileUs in ms, for the edges (JSON, CLI), or null before the first sample. */
  percentileMs(p: number): number | null {
    const us = this.percentileUs(p);
    return Number.isNaN(us) ? null : us / 1000;
  }

  /** recent returns a copy of the retained samples, µs. */
  recent(): Float64Array {
    return this.ring.slice(0, Math.min(this.n, LATENCY_SAMPLES));
  }
}

/** percentiles returns the requested percentiles (0..100) of `samples` (nearest-rank), NaN if empty. */
export function percentiles(samples: ArrayLike<number>, ps: number[]): number[] {
  if (samples.length === 0) return ps.map(() => NaN);
  const sorted = Float64Array.from(samples).sort();
  return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}
