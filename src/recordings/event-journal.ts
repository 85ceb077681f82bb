/**
 * event-journal: the hub's events on disk, beside the recordings they point into, so they survive
 * a restart — and the link from each event to the recording that covers it.
 *
 * ```
 * DIR/door/events/
 *   2026-11-29.jsonl          the day's events (by start, UTC), append-only JSON lines
 *   2026-11-29/ID.jpg         each event's snapshot, at most SNAPSHOT_WIDTH wide
 * ```
 *
 * A line is the whole event (StreamEvent JSON) as of its start, its end, and its clip link; the
 * newest line about an id wins, and a line torn by a crash is skipped (like the segment index,
 * index-file.ts). Peaks in between are not written: the end line carries the final one.
 *
 * Clip link: once an event has ended and its clip's end (post-roll) is past, the journal looks in
 * the recording index; if any of the span is recorded, `EventLog.attachClip` gets the clip URL
 * (`/api/recordings/clip.mp4?stream=…&from=…&to=…`), which is announced and written like any change.
 *
 * Bounded: at most MAX_EVENTS_PER_DAY events (3 lines each) per stream a day and run; whole days are deleted when older
 * than the keep age (`keepMs(stream)`: the longer of --keep-events and --keep), or, with no age
 * limit, when older than the stream's oldest recording — and never kept past MAX_DAYS.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { EventLog, EventPhase, StreamEvent } from '../hub/event-log.js';
import { MAX_EVENTS } from '../hub/event-log.js';
import { createLogger, RateLimitedReport } from '../util/logger.js';
import { appendDurably } from './index-file.js';
import { dayOf, RecordingStore, streamDir } from './store.js';

const logger = createLogger('events');

/** EVENTS_DIR: the per-stream directory of the journal. */
export const EVENTS_DIR = 'events';
/** MAX_EVENTS_PER_DAY: a stream with more than 10 000 events a day is misconfigured; the rest stay in memory only. */
export const MAX_EVENTS_PER_DAY = 10_000;
/** MAX_DAYS: with no age limit and no recording to follow, a year of events at most. */
export const MAX_DAYS = 366;
/** SNAPSHOT_WIDTH: 320 pixels is enough to recognise what moved in a list; ~15 KB per event. */
export const SNAPSHOT_WIDTH = 320;
/** LINK_DELAY_MS: the fragment holding the clip's last picture is on disk about a second after it. */
export const LINK_DELAY_MS = 2000;
/** MAX_PENDING: disk writes waiting; past it (a stalled disk) changes are dropped and counted. */
const MAX_PENDING = 1000;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

/** EventJournalOptions: where, and how long events are kept (ms; 0 = as long as the stream's recordings). */
export interface EventJournalOptions {
  dir: string;
  keepMs: (stream: string) => number;
}

/** clipUrl is where the HTTP API serves an event's clip. */
export function clipUrl(ev: StreamEvent): string {
  return `/api/recordings/clip.mp4?stream=${encodeURIComponent(ev.stream)}&from=${ev.clip.fromMs}&to=${ev.clip.toMs}`;
}

/** EventJournal keeps an EventLog on disk; see the file comment. */
export class EventJournal {
  /** ready settles once earlier events are back in the log. */
  readonly ready: Promise<void>;
  private readonly store: RecordingStore;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly perDay = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pruneTimer: NodeJS.Timeout;
  private closed = false;
  private readonly dropped = new RateLimitedReport((n) => logger.warn(`${n} event changes not written to disk (the disk is stalled, or a stream has over ${MAX_EVENTS_PER_DAY} events a day)`));
  private readonly onEvent = (ev: StreamEvent, phase: EventPhase) => this.changed(ev, phase);

  constructor(
    private readonly log: EventLog,
    private readonly opts: EventJournalOptions,
  ) {
    this.store = new RecordingStore(opts.dir);
    log.snapshotLoader = (ev) => this.readSnapshot(ev);
    log.on('event', this.onEvent);
    this.ready = this.restore().catch((e) => logger.error(`could not read earlier events from ${opts.dir}: ${(e as Error).message}`));
    this.pruneTimer = setInterval(() => void this.prune().catch(() => {}), 3600_000);
    this.pruneTimer.unref();
  }

  /** flushed settles when every change so far is on disk (tests, shutdown). */
  flushed(): Promise<void> {
    return this.chain;
  }

  /** prune deletes event days past their keep age (see the file comment). */
  async prune(nowMs = Date.now()): Promise<void> {
    for (const stream of await this.store.streams()) {
      const keepMs = this.opts.keepMs(stream);
      const firstRecorded = (await this.store.days(stream))[0];
      // An event day D holds events that started on D; they ended by D+1 (events last ≤ 10 min).
      let cutoff = dayOf((nowMs - MAX_DAYS * 86_400_000) * 1000);
      if (keepMs > 0) cutoff = maxDay(cutoff, dayOf((nowMs - keepMs - 86_400_000) * 1000));
      else if (firstRecorded) cutoff = maxDay(cutoff, dayOf(Date.parse(firstRecorded) * 1000 - 86_400e6));
      for (const day of await this.eventDays(stream)) {
        if (day >= cutoff) break;
        await rm(join(this.dirOf(stream), `${day}.jsonl`), { force: true });
        await rm(join(this.dirOf(stream), day), { recursive: true, force: true });
      }
    }
  }

  /** close stops following the log once every change so far is written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.off('event', this.onEvent);
    clearInterval(this.pruneTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.ready;
    await this.chain;
  }

  private dirOf(stream: string): string {
    return join(this.opts.dir, streamDir(stream), EVENTS_DIR);
  }

  private changed(ev: StreamEvent, phase: EventPhase): void {
    if (phase === 'update') return; // peaks: the end line carries the last one
    const day = dayOf(ev.startMs * 1000);
    const key = `${ev.stream}\n${day}`;
    const n = this.perDay.get(key) ?? 0;
    if (this.pending >= MAX_PENDING || n >= MAX_EVENTS_PER_DAY * 3) return this.dropped.add();
    this.perDay.set(key, n + 1);
    const jpeg = phase === 'clip' ? undefined : this.log.snapshot(ev.id);
    this.enqueue(async () => {
      const dir = this.dirOf(ev.stream);
      await mkdir(dir, { recursive: true });
      if (jpeg && SAFE_ID.test(ev.id)) await writeSnapshot(join(dir, day), ev.id, jpeg);
      await appendDurably(join(dir, `${day}.jsonl`), JSON.stringify(ev) + '\n');
    });
    if (phase === 'end' && ev.clip.url === null) this.linkLater(ev);
  }

  private enqueue(op: () => Promise<void>): void {
    this.pending++;
    this.chain = this.chain
      .then(op)
      .catch((e) => logger.warn(`could not write an event to ${this.opts.dir}: ${(e as Error).message}`))
      .finally(() => this.pending--);
  }

  /** linkLater attaches the clip once its last second should be on disk. */
  private linkLater(ev: StreamEvent, nowMs = Date.now()): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.link(ev);
    }, Math.max(0, ev.clip.toMs + LINK_DELAY_MS - nowMs));
    t.unref();
    this.timers.add(t);
  }

  private async link(ev: StreamEvent): Promise<void> {
    try {
      const segs = await this.store.list(ev.stream, ev.clip.fromMs * 1000, ev.clip.toMs * 1000);
      if (segs.length > 0 && !this.closed) this.log.attachClip(ev.id, clipUrl(ev));
    } catch (e) {
      logger.warn(`could not look up the recording of event ${ev.id}: ${(e as Error).message}`);
    }
  }

  private async eventDays(stream: string): Promise<string[]> {
    try {
      return (await readdir(this.dirOf(stream))).flatMap((f) => DAY_FILE.exec(f)?.[1] ?? []).sort();
    } catch {
      return [];
    }
  }

  private async restore(): Promise<void> {
    await this.prune(); // days past their age are not read back
    const events: StreamEvent[] = [];
    for (const stream of await this.store.streams()) {
      const days = await this.eventDays(stream);
      let n = 0;
      for (let i = days.length - 1; i >= 0 && n < MAX_EVENTS; i--) {
        const got = parseEvents(await readFile(join(this.dirOf(stream), `${days[i]}.jsonl`), 'utf8').catch(() => ''), stream);
        n += got.length;
        events.push(...got);
      }
    }
    this.log.restore(events);
    // Events of the last hour that were not linked yet (the hub stopped first).
    const recent = Date.now() - 3600_000;
    for (const ev of events) if (ev.clip.url === null && ev.clip.toMs > recent) this.linkLater(ev);
  }

  private async readSnapshot(ev: StreamEvent): Promise<Buffer | undefined> {
    if (!SAFE_ID.test(ev.id)) return undefined;
    return readFile(join(this.dirOf(ev.stream), dayOf(ev.startMs * 1000), `${ev.id}.jpg`)).catch(() => undefined);
  }
}

/**
 * parseEvents reads a day file: the newest line per id wins; a torn or foreign line is skipped.
 * An event whose end was never written (the hub was killed during it) is closed at its start.
 */
export function parseEvents(text: string, stream: string): StreamEvent[] {
  const byId = new Map<string, StreamEvent>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    let ev: StreamEvent;
    try {
      ev = JSON.parse(line) as StreamEvent;
    } catch {
      continue;
    }
    if (typeof ev?.id !== 'string' || ev.stream !== stream || !Number.isFinite(ev.startMs) || typeof ev.clip?.fromMs !== 'number' || typeof ev.clip?.toMs !== 'number') continue;
    byId.set(ev.id, ev);
  }
  return [...byId.values()].map((ev) => (ev.endMs === null ? { ...ev, endMs: ev.startMs } : ev));
}

async function writeSnapshot(dir: string, id: string, jpeg: Buffer): Promise<void> {
  await mkdir(dir, { recursive: true });
  const small = await sharp(jpeg, { failOn: 'none' }).resize({ width: SNAPSHOT_WIDTH, withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
  const path = join(dir, `${id}.jpg`);
  await writeFile(path + '.tmp', small);
  await rename(path + '.tmp', path); // a reader never sees half a picture
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}
