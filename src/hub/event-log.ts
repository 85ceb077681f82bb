/**
 * event-log: what happened on the hub's streams — motion events today — kept in memory, bounded,
 * for `/api/events`, the viewer's live event list, webhooks and MQTT. Producers (sinks/motion)
 * add and update events; consumers list them or listen. It lives beside the hub because
 * transports read it and sinks write it, and neither may import the other.
 *
 * The clip seam: every event carries `clip`, the span of recording that shows it (pre-roll
 * before the start, post-roll after the end). A recorder that holds that span calls
 * attachClip(id, url) once it is on disk; until then `clip.url` is null.
 *
 * Persistence (recordings/event-journal.ts, when the hub records) hands older events back with
 * restore() and serves the snapshots the log no longer holds through `snapshotLoader`.
 */
import { TypedEmitter } from '../util/events.js';
import type { EventPhase, StreamEvent } from './event.js';

export type { ClipSpan, EventPhase, StreamEvent } from './event.js';

/** MAX_EVENTS: 10 000 events (~2 MB of JSON) is days of a busy camera; older ones are forgotten first. */
export const MAX_EVENTS = 10_000;
/** MAX_SNAPSHOTS: the newest 200 events keep their JPEG (≤ ~20 MB at 720p); older ones drop it. */
export const MAX_SNAPSHOTS = 200;
/** MAX_LIST: one /api/events answer holds at most 1000 events; ask again with an earlier `until`. */
export const MAX_LIST = 1000;

/** EventFilter selects events by stream and overlap with a time span (ms). */
export interface EventFilter {
  stream?: string;
  /** sinceMs: events still going on at or after this time. */
  sinceMs?: number;
  /** untilMs: events that started at or before this time. */
  untilMs?: number;
  /** limit: at most this many, newest first (capped at MAX_LIST). */
  limit?: number;
}

/** EventLogEvents: `event` fires on every change of an event, with what changed. */
export type EventLogEvents = {
  event: (ev: StreamEvent, phase: EventPhase) => void;
};

interface Entry {
  ev: StreamEvent;
  jpeg: Buffer | undefined;
}

/** EventLog holds recent events; see the file comment. */
export class EventLog extends TypedEmitter<EventLogEvents> {
  private entries = new Map<string, Entry>();
  private withSnapshots: string[] = [];
  /** snapshotLoader reads a snapshot the log does not hold (older events, kept on disk). */
  snapshotLoader: ((ev: StreamEvent) => Promise<Buffer | undefined>) | undefined;

  /** add records a new event (phase 'start'). */
  add(ev: StreamEvent, jpeg?: Buffer): void {
    this.entries.set(ev.id, { ev, jpeg: undefined });
    this.setSnapshot(ev.id, jpeg);
    while (this.entries.size > MAX_EVENTS) this.entries.delete(this.entries.keys().next().value as string);
    this.emit('event', ev, 'start');
  }

  /** update changes an event (a new peak, or its end) and announces it with `phase`. */
  update(id: string, patch: Partial<Pick<StreamEvent, 'endMs' | 'peakScore' | 'zone' | 'clip'>>, phase: EventPhase, jpeg?: Buffer): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.ev = { ...e.ev, ...patch };
    this.setSnapshot(id, jpeg);
    this.emit('event', e.ev, phase);
  }

  /** attachClip is the recorder's hook: the event's clip is recorded and can be fetched at `url`. */
  attachClip(id: string, url: string): void {
    const e = this.entries.get(id);
    if (e) this.update(id, { clip: { ...e.ev.clip, url } }, 'clip');
  }

  /**
   * restore puts events from an earlier run back, older than everything logged since (an event
   * already in the log is not replaced); nothing is announced. Past MAX_EVENTS the oldest are left out.
   */
  restore(events: readonly StreamEvent[]): void {
    const older = events.filter((ev) => !this.entries.has(ev.id)).sort((a, b) => a.startMs - b.startMs);
    const room = Math.max(0, MAX_EVENTS - this.entries.size);
    const next = new Map<string, Entry>();
    for (const ev of older.slice(Math.max(0, older.length - room))) next.set(ev.id, { ev, jpeg: undefined });
    for (const [id, e] of this.entries) next.set(id, e);
    this.entries = next;
  }

  /** loadSnapshot returns an event's JPEG from memory, else from `snapshotLoader`. */
  async loadSnapshot(id: string): Promise<Buffer | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    return e.jpeg ?? (e.ev.snapshot !== null ? await this.snapshotLoader?.(e.ev) : undefined);
  }

  /** get returns one event. */
  get(id: string): StreamEvent | undefined {
    return this.entries.get(id)?.ev;
  }

  /** snapshot returns an event's JPEG, if it is still kept. */
  snapshot(id: string): Buffer | undefined {
    return this.entries.get(id)?.jpeg;
  }

  /** all returns every event held, oldest first (no MAX_LIST cap: for in-process users like retention). */
  all(): StreamEvent[] {
    return [...this.entries.values()].map((e) => e.ev);
  }

  /** list returns the events matching `f`, newest first. */
  list(f: EventFilter = {}): StreamEvent[] {
    const limit = Math.min(MAX_LIST, f.limit ?? MAX_LIST);
    const out: StreamEvent[] = [];
    const all = [...this.entries.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const ev = all[i].ev;
      if (f.stream !== undefined && ev.stream !== f.stream) continue;
      if (f.untilMs !== undefined && ev.startMs > f.untilMs) continue;
      if (f.sinceMs !== undefined && ev.endMs !== null && ev.endMs < f.sinceMs) continue;
      out.push(ev);
    }
    return out;
  }

  private setSnapshot(id: string, jpeg: Buffer | undefined): void {
    const e = this.entries.get(id);
    if (!e || !jpeg) return;
    if (!e.jpeg) this.withSnapshots.push(id);
    e.jpeg = jpeg;
    if (this.withSnapshots.length > MAX_SNAPSHOTS) {
      const drop = this.withSnapshots.splice(0, this.withSnapshots.length - MAX_SNAPSHOTS);
      for (const d of drop) {
        const old = this.entries.get(d);
        if (old) old.jpeg = undefined;
      }
    }
  }
}
