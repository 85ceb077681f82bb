/**
 * event-pins: which recorded spans an event still keeps — `--keep-events AGE` keeps the clip
 * of every event (its pre-roll to post-roll span) for AGE after the event ended, however short
 * `--keep` is for continuous footage. Retention asks `keeps(stream, startUs, endUs)` for each
 * candidate segment, so the spans are merged and sorted once per change of the event log (or
 * once a minute, as events age out) and each question is a binary search.
 */
import type { EventLog } from '../hub/event-log.js';

/** EventPinsOptions: how long events keep their clips, globally and per stream (µs; 0 = not kept). */
export interface EventPinsOptions {
  keepUs: number;
  perStream?: Record<string, number>;
}

/** REBUILD_MS: spans age out of the keep window by the minute; the log's changes rebuild at once. */
const REBUILD_MS = 60_000;

/** EventPins answers "does an event keep this span?"; see the file comment. */
export class EventPins {
  private spans = new Map<string, { from: number[]; to: number[] }>();
  private builtAtMs = -Infinity;
  private dirty = true;
  private readonly onEvent = () => {
    this.dirty = true;
  };

  constructor(
    private readonly log: EventLog,
    private readonly opts: EventPinsOptions,
  ) {
    log.on('event', this.onEvent);
  }

  /** keeping says whether any stream's events keep anything at all (retention skips the work otherwise). */
  get keeping(): boolean {
    return this.opts.keepUs > 0 || Object.values(this.opts.perStream ?? {}).some((v) => v > 0);
  }

  /** keeps says whether an event of `stream` still keeps some of [startUs, endUs]. */
  keeps(stream: string, startUs: number, endUs: number, nowMs = Date.now()): boolean {
    if (this.dirty || nowMs - this.builtAtMs > REBUILD_MS) this.rebuild(nowMs);
    const s = this.spans.get(stream);
    if (!s) return false;
    // The last span starting at or before endUs is the only one that can reach back to startUs
    // (spans are merged, so they do not overlap each other).
    let lo = 0;
    let hi = s.from.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.from[mid] <= endUs) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at >= 0 && s.to[at] >= startUs;
  }

  /** close stops following the log. */
  close(): void {
    this.log.off('event', this.onEvent);
  }

  private rebuild(nowMs: number): void {
    this.dirty = false;
    this.builtAtMs = nowMs;
    const raw = new Map<string, [number, number][]>();
    for (const ev of this.log.all()) {
      const keepUs = this.opts.perStream?.[ev.stream] ?? this.opts.keepUs;
      if (keepUs <= 0 || (ev.endMs ?? nowMs) * 1000 < nowMs * 1000 - keepUs) continue;
      let list = raw.get(ev.stream);
      if (!list) raw.set(ev.stream, (list = []));
      list.push([ev.clip.fromMs * 1000, ev.endMs === null ? Infinity : ev.clip.toMs * 1000]);
    }
    this.spans = new Map();
    for (const [stream, list] of raw) {
      list.sort((a, b) => a[0] - b[0]);
      const from: number[] = [];
      const to: number[] = [];
      for (const [f, t] of list) {
        if (to.length && f <= to[to.length - 1]) to[to.length - 1] = Math.max(to[to.length - 1], t);
        else {
          from.push(f);
          to.push(t);
        }
      }
      this.spans.set(stream, { from, to });
    }
  }
}
