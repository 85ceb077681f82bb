/**
 * Stream: one named flow of frames with at most one publisher and any number of readers.
 *
 * A stream outlives its publisher: readers attached to a stream whose publisher vanished keep
 * waiting, so viewers resume by themselves when the publisher reconnects. A publisher that ends
 * cleanly (`end()`) ends every current reader instead.
 */
import type { Codec, Frame } from '../frame/frame.js';
import { nowUs } from '../util/clock.js';
import { createError } from '../util/errors.js';
import { Reader, type ReaderOptions, type ReaderStats } from './reader.js';
import { LatencyStats, RateMeter } from './stats.js';
import { redact } from '../util/redact.js';

/**
 * GOP_CACHE bounds the frames a stream keeps since its last keyframe, so a new reader starts
 * decoding at once instead of waiting up to a keyframe interval: 300 frames is 10 s at 30 fps
 * (a camera's longest usual GOP), 8 MiB is 10 s of 6 Mbit/s. A GOP past either bound is not
 * cached (readers joining then wait for the next keyframe, as without a cache).
 */
export const GOP_CACHE = { frames: 300, bytes: 8 * 1024 * 1024 };

/** StreamStats is a point-in-time copy of a stream's counters and its readers'. */
export interface StreamStats {
  name: string;
  publisher: string | null;
  codec: Codec | null;
  width: number;
  height: number;
  framesIn: number;
  bytesIn: number;
  /** dropped: frames skipped by slow readers of this stream, including readers that left. */
  dropped: number;
  fps: number;
  bitrate: number;
  lastFrameAgeMs: number | null;
  readers: ReaderStats[];
}

/** Publisher is the write handle of a stream; only one exists per stream at a time. */
export interface Publisher {
  readonly stream: Stream;
  /** publish hands a frame to every reader; never blocks. Ignored after end()/detach(). */
  publish(frame: Frame): void;
  /** end says the source finished: current readers end after their waiting frame. */
  end(): void;
  /** detach gives up the stream without ending it (the connection dropped). */
  detach(): void;
}

/** StreamHooks let the Hub learn about publisher and reader changes. */
export interface StreamHooks {
  changed(s: Stream): void;
}

/** Stream holds the publisher slot, the readers and the newest frame; see the file comment. */
export class Stream {
  readonly readers = new Set<Reader>();
  framesIn = 0;
  bytesIn = 0;
  readonly rate = new RateMeter();
  /** latency: capture→hub, measured as frames are published. */
  readonly latency = new LatencyStats();
  private publisherLabel: string | null = null;
  private current: object | null = null;
  private lastFrame: Frame | undefined;
  /** gop: the newest keyframe and every frame since (GOP_CACHE); empty when over the bound. */
  private gop: Frame[] = [];
  private gopBytes = 0;
  private lastAt = 0;
  /**
   * via: the hubs this stream's frames came through before this one, nearest first (set by a
   * publisher that pulls from another hub; empty for a local source). Viewers of another hub
   * learn it with `hubId` in front, and refuse a stream whose via holds their own hub (a loop).
   */
  via: readonly string[] = [];
  /** droppedByGone keeps the drops of readers that left, so `dropped` only ever grows. */
  private droppedByGone = 0;

  constructor(
    readonly name: string,
    private readonly hooks: StreamHooks = { changed: () => {} },
    /** hubId: the id of the hub holding the stream (hub/hub.ts). */
    readonly hubId = '',
  ) {}

  /** publisher is the label of the current publisher, or null. */
  get publisher(): string | null {
    return this.publisherLabel;
  }

  /** last is the newest frame published, if any (snapshots read it). */
  get last(): Frame | undefined {
    return this.lastFrame;
  }

  /** attach claims the publisher slot; a second publisher gets CAMWIRE_ERR_STREAM_BUSY. */
  attach(label: string): Publisher {
    if (this.current) {
      throw createError('CAMWIRE_ERR_STREAM_BUSY', `stream "${this.name}" already has a publisher (${this.publisherLabel}); pick another name or stop that sender`);
    }
    const token = {};
    this.current = token;
    this.gop = []; // a new publisher's frames do not continue the old one's GOP
    this.via = [];
    this.publisherLabel = redact(label); // shown in /api/streams: never a URL's password
    const live = () => this.current === token;
    const release = () => {
      if (!live()) return;
      this.current = null;
      this.publisherLabel = null;
      this.hooks.changed(this);
    };
    this.hooks.changed(this);
    return {
      stream: this,
      publish: (frame) => {
        if (live()) this.publish(frame);
      },
      end: () => {
        if (!live()) return;
        for (const r of [...this.readers]) r.end();
        release();
      },
      detach: release,
    };
  }

  /** read adds a reader; it starts at once at the cached GOP (the newest keyframe and the frames since), if any. */
  read(opts: ReaderOptions = {}): Reader {
    const r = new Reader(this.name, opts, (rr) => {
      if (!this.readers.delete(rr)) return;
      this.droppedByGone += rr.dropped;
      this.hooks.changed(this);
    });
    this.readers.add(r);
    r.join(this.gop, GOP_CACHE);
    this.hooks.changed(this);
    return r;
  }

  /** idle tells whether nothing uses the stream any more (the hub may forget it). */
  get idle(): boolean {
    return this.current === null && this.readers.size === 0;
  }

  /** stats returns a copy of the counters. */
  stats(now = Date.now()): StreamStats {
    const f = this.lastFrame;
    const readers = [...this.readers].map((r) => r.stats());
    return {
      name: this.name,
      publisher: this.publisherLabel,
      codec: f?.codec ?? null,
      width: f?.width ?? 0,
      height: f?.height ?? 0,
      framesIn: this.framesIn,
      bytesIn: this.bytesIn,
      dropped: readers.reduce((n, r) => n + r.dropped, this.droppedByGone),
      fps: this.rate.fps(now),
      bitrate: this.rate.bitsPerSecond(now),
      lastFrameAgeMs: f ? now - this.lastAt : null,
      readers,
    };
  }

  /** closeReaders closes every reader (hub shutdown). */
  closeReaders(): void {
    for (const r of [...this.readers]) r.close();
  }

  private publish(frame: Frame): void {
    this.framesIn++;
    this.bytesIn += frame.payload.length;
    this.lastAt = Date.now();
    this.rate.add(frame.payload.length, this.lastAt);
    this.latency.add(nowUs() - frame.captureUs);
    this.lastFrame = frame;
    this.cache(frame);
    for (const r of this.readers) r.offer(frame);
  }

  /** cache keeps the GOP a joining reader starts from (for MJPEG: just the newest frame). */
  private cache(frame: Frame): void {
    if (frame.keyframe) {
      this.gop = [frame];
      this.gopBytes = frame.payload.length;
    } else if (this.gop.length > 0 && this.gop.length < GOP_CACHE.frames && this.gopBytes + frame.payload.length <= GOP_CACHE.bytes) {
      this.gop.push(frame);
      this.gopBytes += frame.payload.length;
    } else {
      this.gop = [];
    }
  }
}
