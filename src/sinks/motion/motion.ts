/**
 * motion: motion detection for the streams a hub is told to watch — one ordinary hub reader per
 * stream, driven by the newest-wins pump into a StreamMotion sink. A stream that ends (its
 * publisher finished) is read again, so detection resumes when the camera comes back.
 */
import type { Hub } from '../../hub/hub.js';
import type { Reader } from '../../hub/reader.js';
import type { EventLog } from '../../hub/event-log.js';
import { pumpNewest } from '../../hub/pump.js';
import type { MotionZones } from '../../config/motion-zones.js';
import { locateFfmpeg } from '../../sources/ffmpeg/locate.js';
import { sleep } from '../../util/sleep.js';
import { StreamMotion, type StreamMotionOptions } from './stream-motion.js';

/** REREAD_MS: after a stream ended, wait this long before reading it again (no spin on a flapping source). */
const REREAD_MS = 500;

/** MotionOptions: which streams, and how they are judged (config keys motion*). */
export type MotionOptions = Omit<StreamMotionOptions, 'zones' | 'ffmpeg'> & {
  streams: readonly string[];
  zones: MotionZones;
  /** ffmpegPath: the ffmpeg that decodes H.264 (default: found like a source's). */
  ffmpegPath?: string;
};

/** Motion watches streams of a hub and records events in `events`; see the file comment. */
export class Motion {
  /** sinks: the current sink of each watched stream (tests, benchmarks, stats). */
  readonly sinks = new Map<string, StreamMotion>();
  private readonly readers = new Set<Reader>();
  private readonly stop = new AbortController();
  private loops: Promise<void>[] = [];
  private closed = false;

  constructor(
    private readonly hub: Hub,
    private readonly events: EventLog,
    private readonly opts: MotionOptions,
  ) {}

  /** start begins watching every configured stream (they need not exist yet). */
  start(): void {
    this.loops = [...new Set(this.opts.streams)].map((name) => this.watch(name));
  }

  /** close stops every reader and decoder, ending events in progress; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    for (const r of this.readers) r.close();
    await Promise.all([...this.sinks.values()].map((s) => s.close()));
    await Promise.all(this.loops);
  }

  private async watch(name: string): Promise<void> {
    const stream: StreamMotionOptions = {
      ...this.opts,
      zones: this.opts.zones[name] ?? [],
      ffmpeg: () => locateFfmpeg({ flag: this.opts.ffmpegPath }).path,
    };
    while (!this.closed) {
      let reader: Reader;
      try {
        // Skipping frames between analyses is the design, not a slow reader: no drop warnings.
        reader = this.hub.read(name, { label: 'motion', quietDrops: true });
      } catch {
        return; // the hub closed
      }
      this.readers.add(reader);
      const sink = new StreamMotion(name, stream, this.events);
      this.sinks.set(name, sink);
      await pumpNewest(reader, sink);
      this.readers.delete(reader);
      await sink.close();
      await sleep(REREAD_MS, this.stop.signal);
    }
  }
}
