/**
 * stream-motion: motion detection on one stream — the FrameSink that the hub's newest-wins pump
 * feeds, at most `fps` analysed pictures a second.
 *
 * MJPEG: the sink reports itself busy until the next analysis is due and the last decode is done,
 * so the pump leaves newer frames in the reader's slot (each replaces the last, counted as a skip
 * by design) and hands over only the newest when it is time: a 30 fps stream costs 5 small decodes
 * a second, never a queue. H.264: every frame goes to the decoder (h264-gray.ts), busy only while
 * its pipe is full; of the pictures that come back, one per interval is analysed.
 *
 * Events go to the hub's EventLog: 'start' once motion is confirmed, 'update' at each new peak
 * (with that picture as the snapshot), 'end' after the quiet time. The snapshot is the frame's
 * own JPEG for MJPEG, the analysed picture (small, gray) for H.264.
 */
import type { Frame } from '../../frame/frame.js';
import type { FrameSink } from '../../hub/pump.js';
import type { EventLog, StreamEvent } from '../../hub/event-log.js';
import type { MotionZone } from '../../config/motion-zones.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import { MotionDetector } from './detector.js';
import { analysisSize, grayToJpeg, jpegToGray, type Size } from './gray.js';
import { H264Gray } from './h264-gray.js';
import { MotionTracker, type Step, type TrackedEvent } from './tracker.js';

const log = createLogger('motion');

/** StreamMotionOptions: how one stream is judged (reasons on the config keys, config/defaults.ts). */
export interface StreamMotionOptions {
  fps: number;
  sensitivity: number;
  warmupMs: number;
  endMs: number;
  preRollMs: number;
  postRollMs: number;
  zones: readonly MotionZone[];
  /** ffmpeg: the binary that decodes H.264 (found only when an H.264 frame arrives). */
  ffmpeg: () => string;
}

let eventCounter = 0;

/** StreamMotion watches one stream; see the file comment. */
export class StreamMotion implements FrameSink {
  /** analysed counts pictures judged (tests, benchmarks). */
  analysed = 0;
  private done = false;
  private decoding = false;
  private nextDueMs = 0;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private detector: MotionDetector | undefined;
  private readonly tracker: MotionTracker;
  private h264: H264Gray | undefined;
  private current: StreamEvent | undefined;
  private noFfmpeg = false;
  private lastError: unknown;
  private readonly errorReport = new RateLimitedReport((n) => log.warn(`"${this.stream}": ${n} pictures could not be analysed (${(this.lastError as Error)?.message ?? this.lastError})`));

  constructor(
    readonly stream: string,
    private readonly opts: StreamMotionOptions,
    private readonly events: EventLog,
  ) {
    this.tracker = new MotionTracker(opts.endMs);
  }

  /** intervalMs between analysed pictures. */
  get intervalMs(): number {
    return 1000 / this.opts.fps;
  }

  /** decoderPid: the H.264 decoder's ffmpeg, if one runs. */
  get decoderPid(): number | undefined {
    return this.h264?.pid;
  }

  get closed(): boolean {
    return this.done;
  }

  busy(): boolean {
    if (this.h264) return this.h264.busy();
    return this.decoding || Date.now() < this.nextDueMs;
  }

  writable(): Promise<void> {
    if (this.h264) return this.h264.writable();
    return new Promise((resolve) => {
      this.wake = resolve;
      if (!this.decoding) this.timer = setTimeout(() => this.wakeUp(), Math.max(0, this.nextDueMs - Date.now()));
    });
  }

  write(f: Frame): void {
    if (this.done) return;
    if (f.codec === 'h264') return this.writeH264(f);
    if (this.h264) void this.stopDecoder();
    this.decoding = true;
    this.nextDueMs = Date.now() + this.intervalMs;
    const size = analysisSize(f.width, f.height);
    jpegToGray(f.payload, size)
      .then((gray) => this.judge(gray, size, f.captureUs, f.payload))
      .catch((e) => this.failed(e))
      .finally(() => {
        this.decoding = false;
        this.wakeUp();
      });
  }

  /** close ends any event in progress and stops the decoder; idempotent. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.wakeUp();
    const ev = this.tracker.finish();
    if (ev) await this.step({ ended: ev }, undefined, undefined);
    await this.stopDecoder();
  }

  private writeH264(f: Frame): void {
    const size = analysisSize(f.width, f.height);
    if (this.h264 && (this.h264.size.width !== size.width || this.h264.size.height !== size.height)) void this.stopDecoder();
    if (!this.h264) {
      if (this.noFfmpeg) return;
      let ffmpeg: string;
      try {
        ffmpeg = this.opts.ffmpeg();
      } catch (e) {
        this.noFfmpeg = true;
        return log.error(`no motion detection on H.264 stream "${this.stream}": ${(e as Error).message}`);
      }
      let nextMs = 0;
      this.h264 = new H264Gray(ffmpeg, size, (gray, captureUs) => {
        const now = Date.now();
        if (now < nextMs) return;
        nextMs = now + this.intervalMs;
        void this.judge(gray, size, captureUs, undefined).catch((e) => this.failed(e));
      }, `motion decoder for "${this.stream}"`);
      void this.h264.start();
    }
    this.h264.write(f);
  }

  private async stopDecoder(): Promise<void> {
    const d = this.h264;
    this.h264 = undefined;
    await d?.close();
  }

  private failed(e: unknown): void {
    this.lastError = e;
    this.errorReport.add(1);
  }

  private wakeUp(): void {
    clearTimeout(this.timer);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async judge(gray: Uint8Array, size: Size, captureUs: number, jpeg: Buffer | undefined): Promise<void> {
    if (this.done) return;
    if (gray.length !== size.width * size.height) throw new Error(`decoded ${gray.length} bytes for ${size.width}x${size.height}`);
    if (!this.detector || this.detector.width !== size.width || this.detector.height !== size.height) {
      this.detector = new MotionDetector({ ...size, zones: this.opts.zones, sensitivity: this.opts.sensitivity, warmupMs: this.opts.warmupMs });
    }
    const timeMs = Math.round(captureUs / 1000);
    this.analysed++;
    const step = this.tracker.push(this.detector.analyse(gray, timeMs), timeMs);
    if (step.started || step.peak || step.ended) await this.step(step, jpeg, step.peak && !jpeg ? { gray, size } : undefined);
  }

  /** step records what the tracker reported in the EventLog. */
  private async step(step: Step, jpeg: Buffer | undefined, raw: { gray: Uint8Array; size: Size } | undefined): Promise<void> {
    // The H.264 snapshot is encoded at the start and the peaks only; a copy survives the await.
    const snapshot = jpeg ?? (raw ? await grayToJpeg(Uint8Array.from(raw.gray), raw.size) : undefined);
    if (step.ended && this.current) {
      const ev = step.ended;
      this.events.update(this.current.id, { endMs: ev.lastMotionMs, clip: this.clip(ev) }, 'end');
      this.current = undefined;
    }
    if (step.started) {
      const ev = step.started;
      const id = `${this.stream.replace(/\//g, '_')}-${ev.startMs}-${++eventCounter}`;
      this.current = {
        id, type: 'motion', stream: this.stream, startMs: ev.startMs, endMs: null, peakScore: round(ev.peakScore), zone: ev.zone,
        snapshot: snapshot ? `/api/events/${id}.jpg` : null, clip: this.clip(ev),
      };
      this.events.add(this.current, snapshot);
      log.info(`motion on "${this.stream}" in zone ${ev.zone} (score ${round(ev.peakScore)})`);
    } else if (step.peak && this.current) {
      const ev = step.peak;
      this.events.update(this.current.id, { peakScore: round(ev.peakScore), zone: ev.zone, clip: this.clip(ev) }, 'update', snapshot);
    }
  }

  private clip(ev: TrackedEvent): StreamEvent['clip'] {
    return { fromMs: ev.startMs - this.opts.preRollMs, toMs: ev.lastMotionMs + this.opts.postRollMs, url: null };
  }
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
