/**
 * Reader: one consumer's view of a Stream, a single newest-frame slot.
 *
 * The publisher calls `offer()` synchronously and never waits. If the consumer has not taken the
 * previous frame yet, that frame is replaced and counted as dropped: a slow consumer skips
 * frames, it never builds a backlog and never slows the publisher or another reader.
 * Reference-coded video (H.264) cannot skip arbitrary frames, so a reader starts at a keyframe
 * and, after any drop, discards everything up to the next keyframe. A few delta frames may wait
 * in order behind the slot (DELTA_BURST) so that frames arriving together — one network read,
 * one ffmpeg chunk, a GOP catch-up — are not mistaken for a slow consumer.
 */
import type { Frame } from '../frame/frame.js';
import { nowUs } from '../util/clock.js';
import { createLogger, RateLimitedReport } from '../util/logger.js';
import { LatencyStats, RateMeter } from './stats.js';
import { redact } from '../util/redact.js';

const log = createLogger('hub');

/** ReaderOptions describe a reader for logs and stats. */
export interface ReaderOptions {
  /** label names the consumer in logs, e.g. "tcp 10.0.0.9:51234". */
  label?: string;
  /** quietDrops: do not log drops (e.g. a snapshot reader that reads once). */
  quietDrops?: boolean;
  /**
   * queue: hold up to this many frames (and bytes) in order instead of the one newest-frame
   * slot — for a recorder, whose disk may pause for a moment but must lose nothing. Past either
   * bound the whole queue is dropped and the reader resumes at the next keyframe, like any reader.
   */
  queue?: { frames: number; bytes: number };
}

/** ReaderStats is a point-in-time copy of a reader's counters. */
export interface ReaderStats {
  id: number;
  label: string;
  framesOut: number;
  bytesOut: number;
  dropped: number;
  fps: number;
  bitrate: number;
  /** capture→delivered latency percentiles over recent frames, ms; null before the first frame. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

/**
 * DELTA_BURST: an H.264 delta frame that arrives while the previous frame still waits queues
 * behind it within this bound instead of costing a wait for the next keyframe (up to a GOP of
 * frozen picture). Frames offered synchronously one after another cannot be taken in between
 * (a consumer's promise resolves after the burst), so without this a coalesced TCP read froze
 * H.264 viewers. 4 frames is ~130 ms at 30 fps: a consumer that is really slow still overflows
 * it quickly and skips to the next keyframe as before. A keyframe replaces whatever waits.
 */
export const DELTA_BURST = { frames: 4, bytes: 4 * 1024 * 1024 };

let nextId = 1;

/** Reader is an async iterable of frames with a one-frame slot; see the file comment. */
export class Reader implements AsyncIterable<Frame> {
  readonly id = nextId++;
  readonly label: string;
  framesOut = 0;
  bytesOut = 0;
  dropped = 0;
  readonly latency = new LatencyStats();
  readonly rate = new RateMeter();
  private slot: Frame | undefined;
  private waiter: ((f: Frame | undefined) => void) | undefined;
  private readyWaiter: ((ok: boolean) => void) | undefined;
  private needKeyframe = true;
  private done = false;
  /** queued: frames after `slot` when opts.queue is set (slot is the oldest). */
  private queued: Frame[] = [];
  private queuedBytes = 0;
  private readonly queue: ReaderOptions['queue'];
  /** catchUp: while a reader that joined at a cached GOP (join) still owes those frames, it queues like this. */
  private catchUp: ReaderOptions['queue'];
  private readonly dropReport: RateLimitedReport;

  constructor(
    readonly stream: string,
    opts: ReaderOptions = {},
    private readonly onClose: (r: Reader) => void = () => {},
  ) {
    this.label = redact(opts.label ?? `reader ${this.id}`);
    this.queue = opts.queue;
    this.dropReport = new RateLimitedReport((n) => {
      if (!opts.quietDrops) log.warn(`${this.label} on "${stream}" is too slow, discarded ${n} frames`);
    });
  }

  /** closed tells whether the reader has ended (stream ended or close() called). */
  get closed(): boolean {
    return this.done;
  }

  /** offer hands the newest frame to the reader; called by the stream, never blocks. */
  offer(frame: Frame): void {
    if (this.done) return;
    if (this.needKeyframe && !frame.keyframe) {
      // Waiting for the very first keyframe is joining, not falling behind: not a drop.
      if (this.framesOut > 0) this.drop(1);
      return;
    }
    this.needKeyframe = false;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(this.deliver(frame));
      return;
    }
    const queue = this.queue ?? this.catchUp ?? (frame.keyframe ? undefined : DELTA_BURST);
    if (this.slot && queue) return this.enqueue(frame, queue);
    if (this.slot) {
      // A keyframe needs nothing before it: it replaces every frame still waiting.
      this.drop(1 + this.queued.length);
      this.queued = [];
      this.queuedBytes = 0;
    }
    this.slot = frame;
    this.wakeReady(true);
  }

  /**
   * join starts the reader at a stream's cached GOP (its keyframe and the frames since, see
   * hub/stream.ts): they are delivered in order, with the frames published meanwhile queued
   * behind them within `bound`; once the reader has taken them all it is newest-wins again.
   */
  join(gop: readonly Frame[], bound: { frames: number; bytes: number }): void {
    if (gop.length > 1) this.catchUp = bound;
    for (const f of gop) this.offer(f);
  }

  /** next resolves with the newest frame not yet taken, or undefined once the reader ended. */
  next(): Promise<Frame | undefined> {
    if (this.waiter) throw new Error('Reader.next() called again before the previous call resolved');
    const f = this.take();
    if (f || this.done) return Promise.resolve(f);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /**
   * ready resolves true once a frame waits in the slot, without taking it, and false once the
   * reader ended. A consumer whose sink is busy calls ready(), waits for the sink, then take()s:
   * frames arriving meanwhile replace the waiting one instead of queuing (see hub/pump.ts).
   */
  ready(): Promise<boolean> {
    if (this.slot) return Promise.resolve(true);
    if (this.done) return Promise.resolve(false);
    if (this.readyWaiter) throw new Error('Reader.ready() called again before the previous call resolved');
    return new Promise((resolve) => (this.readyWaiter = resolve));
  }

  /** take returns the waiting frame without waiting, or undefined. */
  take(): Frame | undefined {
    const f = this.slot;
    if (!f) return undefined;
    this.slot = this.queued.shift();
    if (this.slot) this.queuedBytes -= this.slot.payload.length;
    else this.catchUp = undefined; // caught up: newest-wins from here on
    return this.deliver(f);
  }

  /** end finishes iteration after the waiting frame is taken (the publisher ended cleanly). */
  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(undefined);
    }
    this.wakeReady(false);
    this.onClose(this);
  }

  /** close ends the reader now, discarding any waiting frame; idempotent. */
  close(): void {
    this.slot = undefined;
    this.queued = [];
    this.queuedBytes = 0;
    this.end();
  }

  /** stats returns a copy of the counters. */
  stats(): ReaderStats {
    return {
      id: this.id,
      label: this.label,
      framesOut: this.framesOut,
      bytesOut: this.bytesOut,
      dropped: this.dropped,
      fps: this.rate.fps(),
      bitrate: this.rate.bitsPerSecond(),
      latencyP50Ms: this.latency.percentileMs(50),
      latencyP95Ms: this.latency.percentileMs(95),
    };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    try {
      for (;;) {
        const f = await this.next();
        if (!f) return;
        yield f;
      }
    } finally {
      this.close();
    }
  }

  private deliver(f: Frame): Frame {
    this.framesOut++;
    this.bytesOut += f.payload.length;
    this.rate.add(f.payload.length);
    this.latency.add(nowUs() - f.captureUs);
    return f;
  }

  /** enqueue appends behind the slot; past a bound it drops everything and waits for a keyframe. */
  private enqueue(frame: Frame, bound: { frames: number; bytes: number }): void {
    const held = 1 + this.queued.length; // the slot and the frames behind it
    if (held < bound.frames && this.queuedBytes + frame.payload.length <= bound.bytes) {
      this.queued.push(frame);
      this.queuedBytes += frame.payload.length;
      return;
    }
    this.drop(held + (frame.keyframe ? 0 : 1));
    this.queued = [];
    this.queuedBytes = 0;
    this.slot = frame.keyframe ? frame : undefined;
    this.needKeyframe = !frame.keyframe;
  }

  private wakeReady(ok: boolean): void {
    const w = this.readyWaiter;
    this.readyWaiter = undefined;
    w?.(ok);
  }

  private drop(n: number): void {
    this.dropped += n;
    this.dropReport.add(n);
  }
}
