/**
 * hls-stream: the FrameSink that turns one H.264 stream into LL-HLS in memory — an init
 * segment, ~200 ms parts (each one fMP4 fragment, muxed by recordings/fmp4-*, the recorder's
 * muxer), segments cut at the first keyframe after ~1 s (a segment file is its parts back to
 * back), a window of the last few segments, and requests that wait for a part or playlist
 * update that is about to exist (LL-HLS blocking reload and preload hints).
 *
 * Fed by the one newest-wins pump from a hub reader that joined at the GOP cache, so the first
 * part starts with a keyframe at once. A frame's duration is known when the next one arrives
 * (capture-time delta, as in the recorder), so the newest frame waits in `last`. Memory is
 * bounded by WINDOW_SEGMENTS and WINDOW_BYTES; a picture change (new SPS/PPS) starts a new
 * epoch: new file names, a new init segment, and players reload.
 */
import { randomBytes } from 'node:crypto';
import type { Frame } from '../../frame/frame.js';
import type { FrameSink } from '../../hub/pump.js';
import { initSegment } from '../../recordings/fmp4-init.js';
import { fragment, type Sample } from '../../recordings/fmp4-fragment.js';
import { sameTrack, sampleOf, TIMESCALE, trackOf, type Track } from '../../recordings/track.js';
import { PART_TARGET_S, renderPlaylist, type PlaylistSegment } from './playlist.js';

/** WINDOW_SEGMENTS: complete segments kept and listed (~6 s at a 1 s GOP: enough for a player to join and for a cache to fill). */
export const WINDOW_SEGMENTS = 6;
/** WINDOW_BYTES: at most 32 MiB per stream (6 segments of a 40 Mbit/s stream); older segments go first. */
export const WINDOW_BYTES = 32 * 1024 * 1024;
/** MIN_SEGMENT_S: a segment ends at the first keyframe after this long (0.9 s: a 1 s GOP gives 1 s segments despite jitter). */
export const MIN_SEGMENT_S = 0.9;
/** MAX_FRAME_TICKS: a capture-time gap longer than 1 s (a source restart) counts as one frame interval of 1 s. */
const MAX_FRAME_TICKS = TIMESCALE;

const PART_TICKS = PART_TARGET_S * TIMESCALE;

interface Part {
  data: Buffer;
  ticks: number;
  independent: boolean;
}

interface Segment {
  msn: number;
  startUs: number;
  parts: Part[];
  ticks: number;
  bytes: number;
  complete: boolean;
  /** file: the parts back to back, made on first request. */
  file?: Buffer;
}

/** Waiter is a request waiting for the stream to reach a point. */
interface Waiter {
  ready(): boolean;
  wake(): void;
}

/** HlsStream builds one stream's LL-HLS; see the file comment. */
export class HlsStream implements FrameSink {
  /** epoch: prefix of this encoder state's file names; '' before the first keyframe. */
  epoch = '';
  /** init: the init segment (ftyp + moov) of the current epoch. */
  init: Buffer | undefined;
  /** wrongCodec: the stream is not H.264 (HLS here carries H.264 only). */
  wrongCodec = false;
  private track: Track | undefined;
  private segments: Segment[] = [];
  private last: Frame | undefined;
  private pending: Sample[] = [];
  private pendingTicks = 0;
  private pendingStartsWithKey = false;
  private decodeTime = 0;
  private fragmentSeq = 1;
  private nextMsn = 0;
  private maxTicks = TIMESCALE;
  private bytes = 0;
  private done = false;
  private readonly waiters = new Set<Waiter>();

  /** closed: the sink was closed (the pump stops). */
  get closed(): boolean {
    return this.done;
  }

  busy(): boolean {
    return false; // all in memory: taking a frame never waits
  }

  writable(): Promise<void> {
    return Promise.resolve();
  }

  write(f: Frame): void {
    if (f.codec !== 'h264') {
      this.wrongCodec = true;
      return;
    }
    const track = f.keyframe ? trackOf(f) : undefined;
    if (track && (!this.track || !sameTrack(track, this.track))) return this.restart(f, track);
    const last = this.last;
    if (!last) return; // waiting for a keyframe with SPS/PPS
    const ticks = Math.min(MAX_FRAME_TICKS, Math.max(1, Math.round(((f.captureUs - last.captureUs) * TIMESCALE) / 1e6)));
    if (this.pending.length === 0) this.pendingStartsWithKey = last.keyframe;
    this.pending.push({ data: sampleOf(last), duration: ticks, keyframe: last.keyframe });
    this.pendingTicks += ticks;
    const seg = this.current();
    if (f.keyframe && seg && (seg.ticks + this.pendingTicks) / TIMESCALE >= MIN_SEGMENT_S) {
      this.flushPart();
      this.completeSegment();
      this.openSegment(f.captureUs);
    } else if (this.pendingTicks >= PART_TICKS) {
      this.flushPart();
    }
    this.last = f;
    for (const w of [...this.waiters]) if (w.ready()) w.wake();
  }

  /** close ends the sink and wakes every waiting request. */
  close(): void {
    this.done = true;
    for (const w of [...this.waiters]) w.wake();
  }

  /** playlist renders the current playlist, or undefined before the first part. */
  playlist(): string | undefined {
    if (!this.hasPart()) return undefined;
    const segments: PlaylistSegment[] = this.segments.map((s) => ({
      msn: s.msn,
      startUs: s.startUs,
      durationS: s.ticks / TIMESCALE,
      parts: s.parts.map((p) => ({ durationS: p.ticks / TIMESCALE, independent: p.independent })),
      complete: s.complete,
    }));
    return renderPlaylist({ epoch: this.epoch, targetDurationS: this.maxTicks / TIMESCALE, segments });
  }

  /** has tells whether the part `part` of segment `msn` exists (or the segment is complete when `part` is undefined). */
  has(msn: number, part?: number): boolean {
    const seg = this.segments.find((s) => s.msn === msn);
    if (part === undefined) return (seg?.complete ?? false) || msn < (this.segments[0]?.msn ?? 0) || this.segments.some((s) => s.msn > msn);
    return (seg !== undefined && seg.parts.length > part) || this.segments.some((s) => s.msn > msn);
  }

  /** part returns a part's bytes, if it is in the window. */
  part(msn: number, part: number): Buffer | undefined {
    return this.segments.find((s) => s.msn === msn)?.parts[part]?.data;
  }

  /** segment returns a complete segment's bytes, if it is in the window. */
  segment(msn: number): Buffer | undefined {
    const seg = this.segments.find((s) => s.msn === msn && s.complete);
    if (!seg) return undefined;
    return (seg.file ??= Buffer.concat(seg.parts.map((p) => p.data)));
  }

  /** next is where the next part will be: the preload hint. */
  next(): { msn: number; part: number } {
    const seg = this.current();
    return seg ? { msn: seg.msn, part: seg.parts.length } : { msn: this.nextMsn, part: 0 };
  }

  /** until resolves once `ready()` holds, the sink closed, or `timeoutMs` passed (then false). */
  until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.done) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = {
        ready,
        wake: () => {
          clearTimeout(t);
          this.waiters.delete(w);
          resolve(ready());
        },
      };
      const t = setTimeout(w.wake, timeoutMs);
      this.waiters.add(w);
    });
  }

  private hasPart(): boolean {
    return this.segments.some((s) => s.parts.length > 0);
  }

  private current(): Segment | undefined {
    const s = this.segments[this.segments.length - 1];
    return s && !s.complete ? s : undefined;
  }

  /** restart starts a new epoch at keyframe `f` (first keyframe, or the picture changed). */
  private restart(f: Frame, track: Track): void {
    this.track = track;
    this.epoch = randomBytes(4).toString('hex');
    this.init = initSegment(track, f.captureUs);
    this.segments = [];
    this.bytes = 0;
    this.pending = [];
    this.pendingTicks = 0;
    this.decodeTime = 0;
    this.fragmentSeq = 1;
    this.maxTicks = TIMESCALE;
    this.last = f;
    this.openSegment(f.captureUs);
  }

  private openSegment(startUs: number): void {
    this.segments.push({ msn: this.nextMsn++, startUs, parts: [], ticks: 0, bytes: 0, complete: false });
  }

  private completeSegment(): void {
    const seg = this.current();
    if (!seg) return;
    seg.complete = true;
    this.maxTicks = Math.max(this.maxTicks, seg.ticks);
    // Keep the window: whole segments, oldest first (the next one opens after this).
    while (this.segments.length > WINDOW_SEGMENTS || (this.bytes > WINDOW_BYTES && this.segments.length > 1)) {
      const gone = this.segments.shift()!;
      this.bytes -= gone.bytes;
    }
  }

  private flushPart(): void {
    const seg = this.current();
    if (!seg || this.pending.length === 0) return;
    const data = fragment({ sequence: this.fragmentSeq++, decodeTime: this.decodeTime, wallUs: seg.startUs + (seg.ticks * 1e6) / TIMESCALE }, this.pending);
    seg.parts.push({ data, ticks: this.pendingTicks, independent: this.pendingStartsWithKey });
    seg.ticks += this.pendingTicks;
    seg.bytes += data.length;
    this.bytes += data.length;
    this.decodeTime += this.pendingTicks;
    this.pending = [];
    this.pendingTicks = 0;
  }
}
