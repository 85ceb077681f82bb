/**
 * stream-recorder: the FrameSink that records one stream into fragmented MP4 segments.
 *
 * Frames arrive in order from a queued hub reader (the pump takes one whenever this sink is not
 * busy writing). A frame's duration is known when the next one arrives (capture-time delta), so
 * the newest frame waits in `last`; finished samples gather in a fragment that is written at the
 * next keyframe or after `fragmentMs`. A segment is cut at the first keyframe after `segmentMs`,
 * when the picture format changes, or when capture time steps back or forward by more than
 * `maxGapMs` (a source restart): each segment's wall-clock span is what it really holds.
 *
 * A write error pauses this stream's recording (one log line, `paused` in stats) and keeps the
 * fragments already on disk; after `retryMs` the next keyframe tries a fresh segment.
 */
import type { Frame } from '../../frame/frame.js';
import type { FrameSink } from '../../hub/pump.js';
import { initSegment } from '../../recordings/fmp4-init.js';
import { fragment, type Sample } from '../../recordings/fmp4-fragment.js';
import type { StreamLedger } from '../../recordings/ledger.js';
import { sameTrack, sampleOf, TIMESCALE, trackOf, type Track } from '../../recordings/track.js';
import { createLogger } from '../../util/logger.js';
import { FS_SEGMENT_IO, type SegmentFile, type SegmentIo } from './segment-io.js';

const log = createLogger('recorder');

/** StreamRecorderOptions tune segmenting; see RecorderOptions for the reasons of the defaults. */
export interface StreamRecorderOptions {
  segmentMs: number;
  fragmentMs: number;
  maxGapMs: number;
  retryMs: number;
  io?: SegmentIo;
  /** written is called after each fragment or segment reached the disk (retention runs then). */
  written?: () => void;
}

/** StreamRecorderStats: counters for /metrics and the CLI. */
export interface StreamRecorderStats {
  stream: string;
  paused: boolean;
  framesWritten: number;
  /** framesLost: frames that arrived while recording was paused by a write error. */
  framesLost: number;
  writeErrors: number;
  segmentsWritten: number;
  bytesWritten: number;
}

interface Segment {
  track: Track;
  startUs: number;
  file: Promise<SegmentFile | undefined>;
  sequence: number;
  decodeTime: number;
  frames: number;
  failed: boolean;
}

/** StreamRecorder records one stream; see the file comment. */
export class StreamRecorder implements FrameSink {
  private seg: Segment | undefined;
  private last: Frame | undefined;
  private pending: Sample[] = [];
  private pendingWallUs = 0;
  private pendingTicks = 0;
  private chain: Promise<void> = Promise.resolve();
  private inflight = 0;
  private drained: (() => void)[] = [];
  private pausedUntil = 0;
  private paused = false;
  private done = false;
  private readonly io: SegmentIo;
  private readonly s: StreamRecorderStats;

  constructor(
    private readonly ledger: StreamLedger,
    private readonly opts: StreamRecorderOptions,
  ) {
    this.io = opts.io ?? FS_SEGMENT_IO;
    this.s = { stream: ledger.stream, paused: false, framesWritten: 0, framesLost: 0, writeErrors: 0, segmentsWritten: 0, bytesWritten: 0 };
  }

  /** closed: the recorder was closed (the pump stops). */
  get closed(): boolean {
    return this.done;
  }

  /** busy: a disk write is in flight; frames wait in the reader's queue meanwhile. */
  busy(): boolean {
    return this.inflight > 0;
  }

  /** writable resolves when no disk write is in flight. */
  writable(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((r) => this.drained.push(r));
  }

  /** stats returns a copy of the counters. */
  stats(): StreamRecorderStats {
    return { ...this.s, paused: this.paused };
  }

  /** write takes the next frame in order (see the file comment); never waits. */
  write(f: Frame): void {
    if (this.done) return;
    if (this.paused) {
      if (!(f.keyframe && Date.now() >= this.pausedUntil)) {
        this.s.framesLost++;
        return;
      }
      this.paused = false; // try again; a new failure pauses again without another log line
    }
    const last = this.last;
    if (this.seg && last) {
      const gapUs = f.captureUs - last.captureUs;
      // Sources stamp bursts with equal or slightly shuffled times: only a big step either way is a jump.
      const jumped = Math.abs(gapUs) > this.opts.maxGapMs * 1000;
      // A jump ends the segment at the last frame with a typical duration, not the gap.
      this.addSample(last, jumped ? this.typicalTicks() : Math.max(1, Math.round((gapUs * TIMESCALE) / 1e6)));
      const cut = jumped || (f.keyframe && (f.captureUs - this.seg.startUs >= this.opts.segmentMs * 1000 || !sameTrack(this.seg.track, trackOf(f) ?? this.seg.track)));
      if (cut) {
        this.flushFragment();
        this.closeSegment(jumped ? last.captureUs + Math.round((this.typicalTicks() * 1e6) / TIMESCALE) : f.captureUs);
      } else if (f.keyframe || this.pendingTicks >= (this.opts.fragmentMs * TIMESCALE) / 1000) this.flushFragment();
    }
    this.last = undefined;
    if (!this.seg) {
      const track = f.keyframe ? trackOf(f) : undefined;
      if (!track) return; // a segment starts at a keyframe that carries its parameter sets
      this.openSegment(track, f.captureUs);
    }
    this.last = f;
  }

  /** close writes what is held (the last frame gets a typical duration) and closes the segment. */
  async close(): Promise<void> {
    if (this.done) return this.chain;
    this.done = true;
    if (this.seg && this.last) {
      this.addSample(this.last, this.typicalTicks());
      const end = this.last.captureUs + Math.round((this.typicalTicks() * 1e6) / TIMESCALE);
      this.last = undefined;
      this.flushFragment();
      this.closeSegment(end);
    }
    await this.chain;
  }

  private openSegment(track: Track, startUs: number): void {
    const seg: Segment = { track, startUs, file: Promise.resolve(undefined), sequence: 0, decodeTime: 0, frames: 0, failed: false };
    this.seg = seg;
    let resolveFile!: (f: SegmentFile | undefined) => void;
    seg.file = new Promise((r) => (resolveFile = r));
    this.enqueue(seg, async () => {
      const open = await this.ledger.open(startUs, track);
      const file = await this.io.create(open.path);
      resolveFile(file);
      const init = initSegment(track, startUs);
      await file.append(init);
      this.ledger.grew(init.length);
      this.s.bytesWritten += init.length;
      this.resumed();
    }, () => resolveFile(undefined));
  }

  private addSample(f: Frame, ticks: number): void {
    if (this.pending.length === 0) this.pendingWallUs = f.captureUs;
    this.pending.push({ data: sampleOf(f), duration: ticks, keyframe: f.keyframe });
    this.pendingTicks += ticks;
  }

  private flushFragment(): void {
    const seg = this.seg;
    if (!seg || this.pending.length === 0) return;
    const samples = evenOut(this.pending, this.pendingTicks);
    const bytes = fragment({ sequence: ++seg.sequence, decodeTime: seg.decodeTime, wallUs: this.pendingWallUs }, samples);
    seg.decodeTime += this.pendingTicks;
    seg.frames += samples.length;
    this.pending = [];
    this.pendingTicks = 0;
    this.enqueue(seg, async () => {
      const file = await seg.file;
      if (!file) return;
      await file.append(bytes);
      this.ledger.grew(bytes.length);
      this.s.bytesWritten += bytes.length;
      this.s.framesWritten += samples.length;
      this.opts.written?.();
    });
  }

  private closeSegment(endUs: number): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = undefined;
    this.enqueue(seg, async () => {
      const file = await seg.file;
      await file?.close();
      await this.ledger.close(endUs, seg.frames);
      this.s.segmentsWritten++;
      this.opts.written?.();
    });
  }

  /** typicalTicks: the mean frame duration of the open segment so far, else 1/30 s. */
  private typicalTicks(): number {
    const seg = this.seg;
    const frames = (seg?.frames ?? 0) + this.pending.length;
    const ticks = (seg?.decodeTime ?? 0) + this.pendingTicks;
    return frames > 0 && ticks > 0 ? Math.round(ticks / frames) : TIMESCALE / 30;
  }

  /** enqueue runs `op` after the previous disk operations; a failure pauses this stream. */
  private enqueue(seg: Segment, op: () => Promise<void>, onFail?: () => void): void {
    this.inflight++;
    this.chain = this.chain
      .then(async () => {
        if (seg.failed) return onFail?.();
        try {
          await op();
        } catch (e) {
          seg.failed = true;
          onFail?.();
          await this.fail(seg, e as NodeJS.ErrnoException);
        }
      })
      .finally(() => {
        if (--this.inflight === 0) for (const w of this.drained.splice(0)) w();
      });
  }

  private async fail(seg: Segment, e: NodeJS.ErrnoException): Promise<void> {
    this.s.writeErrors++;
    if (!this.paused && this.pausedUntil === 0) {
      log.error(`recording of "${this.ledger.stream}" paused: ${e.code ?? e.message} writing ${this.ledger.openSegment?.path ?? 'a new segment'}; live viewing carries on, recording retries every ${this.opts.retryMs / 1000} s (free disk space or fix the directory's permissions)`);
    }
    this.paused = true;
    this.pausedUntil = Date.now() + this.opts.retryMs;
    if (this.seg === seg) {
      this.seg = undefined;
      this.last = undefined;
      this.pending = [];
      this.pendingTicks = 0;
    }
    await (await seg.file)?.close().catch(() => {});
    await this.ledger.abandon().catch(() => {});
  }

  /** resumed logs the end of a pause once a new segment opened. */
  private resumed(): void {
    if (this.pausedUntil !== 0 && !this.paused) {
      log.info(`recording of "${this.ledger.stream}" resumed`);
      this.pausedUntil = 0;
    }
  }
}

/**
 * evenOut spreads a fragment's total duration evenly over its samples. Sources stamp frames
 * when they leave ffmpeg's pipe, often in bursts (two frames 0.1 ms apart, then a 66 ms gap):
 * as durations those make players stutter and tools complain of equal timestamps. The
 * fragment's span, and so every fragment's wall-clock start, stays exact.
 */
function evenOut(samples: Sample[], total: number): Sample[] {
  const n = samples.length;
  const base = Math.floor(total / n);
  const extra = total - base * n;
  return samples.map((s, i) => ({ ...s, duration: base + (i < extra ? 1 : 0) }));
}
