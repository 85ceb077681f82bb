/**
 * tracker: turns per-picture verdicts (detector.ts) into motion events with a start, an end and
 * a peak (pure: times come with the verdicts).
 *
 * An event starts at the first of START_PICTURES consecutive pictures with motion (one picture
 * alone can be a flash or a bird), and ends when no picture has shown motion for `endMs`; its end
 * time is the last picture with motion. A scene in motion for longer than MAX_EVENT_MS is cut
 * into several events, so a fan in view never makes one event that never ends.
 */
import type { Analysis } from './detector.js';

/** START_PICTURES: two analysed pictures in a row (≤ 400 ms at 5 fps) confirm motion. */
export const START_PICTURES = 2;
/** MAX_EVENT_MS: 10 minutes; longer motion is reported as consecutive events. */
export const MAX_EVENT_MS = 10 * 60_000;

/** TrackedEvent is the state of the current event. */
export interface TrackedEvent {
  startMs: number;
  /** lastMotionMs: the last picture with motion (the end, once ended). */
  lastMotionMs: number;
  peakScore: number;
  /** zone: the zone with the highest score at the peak. */
  zone: string;
}

/** Step is what one verdict changed: an event started, reached a new peak, or ended. */
export interface Step {
  started?: TrackedEvent;
  /** peak: the event's score rose; the picture just analysed is its best snapshot so far. */
  peak?: TrackedEvent;
  ended?: TrackedEvent;
}

/** MotionTracker follows one stream's verdicts; see the file comment. */
export class MotionTracker {
  private current: TrackedEvent | undefined;
  private streak = 0;
  private streakStartMs = 0;

  constructor(private readonly endMs: number) {}

  /** active is the event in progress, if any. */
  get active(): TrackedEvent | undefined {
    return this.current;
  }

  /** push takes the verdict on the picture of `timeMs`. */
  push(a: Analysis, timeMs: number): Step {
    const step: Step = {};
    const ev = this.current;
    if (ev && (timeMs - ev.lastMotionMs >= this.endMs || timeMs - ev.startMs >= MAX_EVENT_MS)) {
      step.ended = this.finish();
      if (timeMs - ev.startMs >= MAX_EVENT_MS) this.streak = 0;
    }
    if (!a.motion) {
      this.streak = 0;
      return step;
    }
    if (this.streak++ === 0) this.streakStartMs = timeMs;
    const cur = this.current;
    if (cur) {
      cur.lastMotionMs = timeMs;
      if (a.score > cur.peakScore) {
        cur.peakScore = a.score;
        cur.zone = a.zone;
        step.peak = { ...cur };
      }
    } else if (this.streak >= START_PICTURES) {
      this.current = { startMs: this.streakStartMs, lastMotionMs: timeMs, peakScore: a.score, zone: a.zone };
      step.started = { ...this.current };
      step.peak = { ...this.current };
    }
    return step;
  }

  /** finish ends the event in progress (the stream ended or detection stops), returning it. */
  finish(): TrackedEvent | undefined {
    const ev = this.current;
    this.current = undefined;
    return ev ? { ...ev } : undefined;
  }
}
