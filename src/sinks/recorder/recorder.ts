/**
 * recorder: records hub streams into a recordings directory and enforces retention.
 *
 * For every stream that gets a publisher (all of them, or the ones named) it adds a hub reader
 * with a bounded queue and drives a StreamRecorder with the one pump (hub/pump.ts): a disk that
 * pauses for a moment loses nothing, a disk that stalls past the queue bound costs frames up to
 * the next keyframe like any slow reader, and the stream and its live viewers never wait.
 * After every fragment written, retention deletes oldest-first until every limit holds, passing
 * over segments an export is reading (recordings/reading.ts) and, for age, segments an event
 * keeps (recordings/event-pins.ts).
 */
import type { Hub } from '../../hub/hub.js';
import { pumpNewest } from '../../hub/pump.js';
import type { Reader } from '../../hub/reader.js';
import { StreamLedger } from '../../recordings/ledger.js';
import { nextDeletion, type RetentionPolicy, type RetentionReason, type StreamView } from '../../recordings/retention.js';
import { RecordingStore, type SegmentInfo } from '../../recordings/store.js';
import type { EventPins } from '../../recordings/event-pins.js';
import { isBeingRead } from '../../recordings/reading.js';
import { createLogger } from '../../util/logger.js';
import type { SegmentIo } from './segment-io.js';
import { StreamRecorder, type StreamRecorderStats } from './stream-recorder.js';

const log = createLogger('recorder');

/** RecorderOptions: where and what to record, and how much to keep. */
export interface RecorderOptions {
  dir: string;
  /** streams: the streams to record; undefined records every stream that gets a publisher. */
  streams?: string[];
  /** segmentMs: segments are cut at the first keyframe after this long (60 s: a minute per file). */
  segmentMs: number;
  /** fragmentMs: a fragment is written at each keyframe or after this long (1 s: a crash loses ≤ 1 s). */
  fragmentMs: number;
  /** maxGapMs: a capture-time pause longer than this (a source restart) starts a new segment. */
  maxGapMs: number;
  /** retryMs: after a write error, recording tries again this often. */
  retryMs: number;
  /** queueFrames / queueBytes: the reader queue that absorbs disk pauses before frames are lost. */
  queueFrames: number;
  queueBytes: number;
  /** retention: global limits (0 = none). */
  retention: RetentionPolicy;
  /** perStream: limits for single streams that replace the global age limit and add a size limit. */
  perStream?: Record<string, Partial<RetentionPolicy>>;
  /** io: how segment files are written (tests inject failures). */
  io?: SegmentIo;
  /** pins: the event clips `--keep-events` keeps past the age limit. */
  pins?: EventPins;
  /** eventsReady: settles once earlier events are restored; retention waits for it, so no kept clip goes at startup. */
  eventsReady?: Promise<unknown>;
}

interface Active {
  rec?: StreamRecorder;
  reader?: Reader;
  /** ready settles once the ledger is loaded and `rec` exists (or loading failed). */
  ready?: Promise<void>;
  done?: Promise<void>;
}

/** RecorderStats: totals for /metrics and logs. */
export interface RecorderStats {
  bytes: number;
  segmentsDeleted: Record<RetentionReason, number>;
  streams: StreamRecorderStats[];
}

/** Recorder records hub streams; see the file comment. */
export class Recorder {
  readonly store: RecordingStore;
  private readonly ledgers = new Map<string, StreamLedger>();
  private readonly active = new Map<string, Active>();
  private readonly deleted: Record<RetentionReason, number> = { age: 0, 'stream-size': 0, 'total-size': 0 };
  private pruning: Promise<void> | undefined;
  private pruneAgain = false;
  private closed = false;
  private readonly onStream = (name: string, stats: { publisher: string | null } | null) => {
    if (stats?.publisher) this.follow(name);
  };
  private ageTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly opts: RecorderOptions,
  ) {
    this.store = new RecordingStore(opts.dir);
  }

  /** start loads what is already recorded (recovering crashed segments) and follows the hub. */
  async start(): Promise<void> {
    for (const s of await this.store.streams()) this.ledgers.set(s, await StreamLedger.load(this.store, s));
    this.hub.on('stream', this.onStream);
    for (const s of this.hub.stats()) if (s.publisher) this.follow(s.name);
    // Age limits also apply while nothing is written (a stream that went away).
    this.ageTimer = setInterval(() => this.prune(), 60_000);
    this.ageTimer.unref();
    await this.opts.eventsReady?.catch(() => {});
    await this.prune();
  }

  /** stats returns the recorder's counters. */
  stats(): RecorderStats {
    return {
      bytes: [...this.ledgers.values()].reduce((n, l) => n + l.bytes, 0),
      segmentsDeleted: { ...this.deleted },
      streams: [...this.active.values()].flatMap((a) => (a.rec ? [a.rec.stats()] : [])),
    };
  }

  /**
   * metricFamilies: the recorder's Prometheus families (the shape of transports/http/metrics.ts
   * Family, kept structural so sinks do not import a transport).
   */
  metricFamilies(): { name: string; help: string; type: 'counter' | 'gauge'; samples: { labels?: Record<string, string>; value: number }[] }[] {
    const st = this.stats();
    const per = (name: string, help: string, type: 'counter' | 'gauge', v: (s: StreamRecorderStats) => number) => ({ name, help, type, samples: st.streams.map((s) => ({ labels: { stream: s.stream }, value: v(s) })) });
    return [
      per('camwire_recording_paused', '1 while recording of the stream is paused by a write error (disk full, permissions).', 'gauge', (s) => (s.paused ? 1 : 0)),
      per('camwire_recording_frames_total', 'Frames written to recordings.', 'counter', (s) => s.framesWritten),
      per('camwire_recording_frames_lost_total', 'Frames not recorded because recording was paused by a write error.', 'counter', (s) => s.framesLost),
      per('camwire_recording_write_errors_total', 'Failed recording writes.', 'counter', (s) => s.writeErrors),
      { name: 'camwire_recordings_bytes', help: 'Bytes of recordings on disk, all streams.', type: 'gauge', samples: [{ value: st.bytes }] },
      { name: 'camwire_recordings_deleted_total', help: 'Segments deleted by retention, by reason.', type: 'counter', samples: Object.entries(st.segmentsDeleted).map(([reason, value]) => ({ labels: { reason }, value })) },
    ];
  }

  /** close stops recording; every open segment is finished with all frames received. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.off('stream', this.onStream);
    clearInterval(this.ageTimer);
    await Promise.all([...this.active.values()].map(async (a) => {
      await a.ready?.catch(() => {}); // a ledger still loading: its frames wait in the reader queue until then
      // Frames already queued are recorded too: a clean stop loses nothing.
      for (let f = a.reader?.take(); f && a.rec; f = a.reader?.take()) a.rec.write(f);
      await a.rec?.close();
      a.reader?.close();
      await a.done;
    }));
    await this.pruning;
  }

  /** prune deletes oldest segments until every retention limit holds (serialised). */
  prune(): Promise<void> {
    if (this.pruning) {
      this.pruneAgain = true;
      return this.pruning;
    }
    this.pruning = (async () => {
      try {
        do {
          this.pruneAgain = false;
          await this.pruneOnce();
        } while (this.pruneAgain);
      } catch (e) {
        log.error(`retention could not delete old recordings in ${this.opts.dir}: ${(e as Error).message}`);
      } finally {
        this.pruning = undefined;
      }
    })();
    return this.pruning;
  }

  /** MAX_DELETIONS_PER_PASS bounds one pass; the next fragment written starts another. */
  private static readonly MAX_DELETIONS_PER_PASS = 10_000;

  private async pruneOnce(): Promise<void> {
    const pins = this.opts.pins?.keeping ? this.opts.pins : undefined;
    const reading = (s: SegmentInfo) => isBeingRead(s.path);
    const kept = (s: SegmentInfo) => reading(s) || pins!.keeps(s.stream, s.startUs, s.endUs);
    for (let i = 0; i < Recorder.MAX_DELETIONS_PER_PASS; i++) {
      const views: (StreamView & { oldest?: SegmentInfo; kept?: SegmentInfo })[] = [];
      for (const l of this.ledgers.values()) {
        const oldest = await l.firstClosed(pins ? kept : reading);
        // Only when nothing else is left may a size limit take a segment an event keeps.
        const keptSeg = oldest || !pins ? undefined : await l.firstClosed(reading);
        views.push({ stream: l.stream, bytes: l.bytes, oldest, kept: keptSeg, policy: this.opts.perStream?.[l.stream] });
      }
      const next = nextDeletion(views, this.opts.retention, Date.now() * 1000);
      if (!next) return;
      const view = views.find((v) => v.stream === next.stream)!;
      const seg = next.kept ? view.kept! : view.oldest!;
      if (!(await this.ledgers.get(next.stream)!.delete(seg))) continue;
      this.deleted[next.reason]++;
      log.debug(`retention (${next.reason}${next.kept ? ', an event kept it' : ''}) deleted ${seg.path}`);
    }
  }

  private follow(name: string): void {
    if (this.closed || this.active.has(name)) return;
    if (this.opts.streams && !this.opts.streams.includes(name)) return;
    // The reader is added at once, so frames published while the ledger loads wait in its queue.
    const entry: Active = {};
    this.active.set(name, entry); // first: adding the reader emits a hub 'stream' event
    const reader = (entry.reader = this.hub.read(name, { label: 'recorder', queue: { frames: this.opts.queueFrames, bytes: this.opts.queueBytes } }));
    entry.ready = (async () => {
      let ledger = this.ledgers.get(name);
      if (!ledger) {
        ledger = await StreamLedger.load(this.store, name);
        this.ledgers.set(name, ledger);
      }
      entry.rec = new StreamRecorder(ledger, { ...this.opts, written: () => void this.prune() });
    })();
    entry.done = (async () => {
      await entry.ready;
      const rec = entry.rec!;
      await pumpNewest(reader, rec);
      await rec.close();
    })()
      .catch((e) => {
        reader.close();
        log.error(`recording of "${name}" stopped: ${(e as Error).message}`);
      })
      .finally(() => {
        if (this.active.get(name) === entry) this.active.delete(name);
      });
    entry.ready.catch(() => {}); // reported through `done`
  }
}
