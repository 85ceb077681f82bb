/**
 * pacer: how fast a frame's datagrams leave (pure timing arithmetic; frame-sender.ts sleeps).
 *
 * Frame-interval pacing: each frame is spread evenly over `percent` % of the interval between
 * frames (measured, smoothed), so a 720p30 JPEG of ~35 datagrams leaves as ~2 datagrams per
 * millisecond over ~17 ms instead of one 50 KB burst. Receivers and switches see a steady
 * trickle; the frame still arrives well within one frame interval. The window is capped at
 * PACE_MAX_SPREAD_MS so slow streams (1 fps) do not take a second per frame.
 */

/** PACE_MIN_INTERVAL_MS: a measured frame interval counts as at least 4 ms (240 fps, TestSource's limit). */
export const PACE_MIN_INTERVAL_MS = 4;
/** PACE_MAX_INTERVAL_MS: and at most 1 s, so one long pause does not slow the next frames. */
export const PACE_MAX_INTERVAL_MS = 1000;
/** PACE_MAX_SPREAD_MS: 50 ms, well inside the receiver's 200 ms frame deadline. */
export const PACE_MAX_SPREAD_MS = 50;
/** PACE_INITIAL_INTERVAL_MS: 30 fps is assumed until two frames have been seen. */
export const PACE_INITIAL_INTERVAL_MS = 1000 / 30;

/** Pacer tracks the frame interval and says how many datagrams are due; see the file comment. */
export class Pacer {
  private lastStart: number | undefined;
  private interval = PACE_INITIAL_INTERVAL_MS;

  constructor(private readonly percent: number) {}

  /** intervalMs is the smoothed interval between frames. */
  get intervalMs(): number {
    return this.interval;
  }

  /** start records that a frame starts now and returns the window (ms) to spread it over. */
  start(now: number): number {
    if (this.lastStart !== undefined) {
      const gap = Math.min(PACE_MAX_INTERVAL_MS, Math.max(PACE_MIN_INTERVAL_MS, now - this.lastStart));
      this.interval = 0.75 * this.interval + 0.25 * gap;
    }
    this.lastStart = now;
    return Math.min(PACE_MAX_SPREAD_MS, (this.percent / 100) * this.interval);
  }

  /** due is how many of `total` datagrams should be out `elapsed` ms into a `spread`-ms window (at least one). */
  static due(total: number, elapsed: number, spread: number): number {
    if (spread <= 0 || elapsed >= spread) return total;
    return Math.min(total, Math.max(1, Math.ceil((total * elapsed) / spread)));
  }
}
