/**
 * ledger: the writing side of one stream's recordings — opens, grows, closes and deletes
 * segments, keeping the day index (index-file.ts) and the byte totals retention needs.
 *
 * Totals come from the last line of each day's index, so loading a year of recordings reads a
 * few kilobytes per day. Segments are held in memory only for the few oldest days retention
 * looks at (it deletes from there; segments an event keeps can hold it a few days further), and
 * only the newest day is checked for segments a crash left open.
 */
import { mkdir, open, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../util/logger.js';
import { appendLine, readTotals, type IndexLine } from './index-file.js';
import { scanSegmentFile } from './fmp4-reader.js';
import { dayOf, fileNameOf, type RecordingStore, type SegmentInfo } from './store.js';
import type { Track } from './track.js';

const log = createLogger('recorder');

/** CACHED_DAYS: retention rarely looks past the oldest day or two; 8 days of segment lists is a few MB at most. */
const CACHED_DAYS = 8;

/** OpenSegment is the segment a ledger is writing. */
export interface OpenSegment {
  day: string;
  file: string;
  path: string;
  startUs: number;
  track: Track;
  bytes: number;
}

interface Day {
  day: string;
  bytes: number;
  count: number;
}

/** StreamLedger keeps one stream's index and totals; see the file comment. */
export class StreamLedger {
  private days: Day[] = [];
  /** closed: closed segments of the days retention looked at, in write order (at most CACHED_DAYS days). */
  private readonly closed = new Map<string, SegmentInfo[]>();
  private current: OpenSegment | undefined;

  private constructor(
    private readonly store: RecordingStore,
    readonly stream: string,
  ) {}

  /** load reads a stream's totals and closes segments a crash left open (see recoverDay). */
  static async load(store: RecordingStore, stream: string): Promise<StreamLedger> {
    const l = new StreamLedger(store, stream);
    const days = await store.days(stream);
    const newest = days[days.length - 1];
    if (newest) await l.recoverDay(newest);
    for (const day of days) l.days.push({ day, ...(await readTotals(store.indexPath(stream, day))) });
    return l;
  }

  /** bytes: everything this stream holds on disk, the open segment included. */
  get bytes(): number {
    return this.days.reduce((n, d) => n + d.bytes, 0) + (this.current?.bytes ?? 0);
  }

  /** segments: closed segments on disk. */
  get segments(): number {
    return this.days.reduce((n, d) => n + d.count, 0);
  }

  /** openSegment is the segment being written, if any. */
  get openSegment(): OpenSegment | undefined {
    return this.current;
  }

  /**
   * open creates the file of a new segment starting at `startUs` (written by the caller) and
   * records it as open. The day is the newer of the segment's day and the last write day.
   */
  async open(startUs: number, track: Track): Promise<OpenSegment> {
    const last = this.days[this.days.length - 1];
    const day = last && last.day > dayOf(startUs) ? last.day : dayOf(startUs);
    const dir = this.store.dayDir(this.stream, day);
    await mkdir(dir, { recursive: true });
    if (last?.day !== day) this.days.push({ day, bytes: 0, count: 0 });
    const d = this.days[this.days.length - 1];
    let file = fileNameOf(startUs);
    // A clock that jumped back can repeat a start time: never overwrite, take the next name.
    for (let n = 2; await exists(join(dir, file)); n++) file = fileNameOf(startUs, n);
    await this.append(day, { f: file, s: startUs, c: track.codec, w: track.width, h: track.height, t: d.bytes, k: d.count });
    this.current = { day, file, path: join(dir, file), startUs, track, bytes: 0 };
    return this.current;
  }

  /** grew adds bytes written to the open segment. */
  grew(bytes: number): void {
    if (this.current) this.current.bytes += bytes;
  }

  /** close records the open segment as closed with its end time, size and frame count. */
  async close(endUs: number, frames: number): Promise<void> {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    await this.closeLine(c.day, { file: c.file, startUs: c.startUs, endUs, bytes: c.bytes, frames, track: c.track });
  }

  /**
   * abandon gives up the open segment after a write error: the file is scanned like one a crash
   * left behind and keeps every complete fragment (or is removed if it has none).
   */
  async abandon(): Promise<void> {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    await this.recoverFile(c.day, c.file, c.path);
  }

  /**
   * firstClosed returns the first-written closed segment that `skip` does not pass over
   * (segments an event keeps, or an export is reading), or undefined. Older days left empty by
   * deletions are removed on the way.
   */
  async firstClosed(skip: (s: SegmentInfo) => boolean = () => false): Promise<SegmentInfo | undefined> {
    for (let i = 0; i < this.days.length; i++) {
      const d = this.days[i];
      let segs = this.closed.get(d.day);
      if (!segs) {
        segs = (await this.store.daySegments(this.stream, d.day)).filter((s) => !s.open);
        this.closed.set(d.day, segs);
        // Bounded: the days furthest on are dropped first and re-read if ever needed again.
        if (this.closed.size > CACHED_DAYS) this.closed.delete([...this.closed.keys()].sort().pop()!);
      }
      // The newest day is where the recorder writes (a segment may be between close and open):
      // never removed. A day whose totals still count segments is not removed either.
      if (segs.length === 0 && i < this.days.length - 1 && this.current?.day !== d.day && d.count === 0) {
        await rm(this.store.dayDir(this.stream, d.day), { recursive: true, force: true });
        this.days.splice(this.days.indexOf(d), 1);
        this.closed.delete(d.day);
        i--;
        continue;
      }
      for (const s of segs) if (!skip(s)) return s;
    }
    return undefined;
  }

  /** delete deletes a closed segment (one firstClosed returned): index line first, then the file. False if it was gone already. */
  async delete(s: SegmentInfo): Promise<boolean> {
    const d = this.days.find((x) => x.day === s.day);
    const segs = this.closed.get(s.day);
    const at = segs?.findIndex((x) => x.file === s.file) ?? -1;
    if (!d || at < 0) return false; // already deleted, or the day was re-read meanwhile: ask again
    segs!.splice(at, 1);
    d.bytes -= s.bytes;
    d.count--;
    await this.append(d.day, { f: s.file, d: 1, t: d.bytes, k: d.count });
    await unlink(s.path).catch(() => {}); // already gone is fine: the index says so now
    return true;
  }

  /** recoverDay closes every segment of `day` that its index says is still open. */
  private async recoverDay(day: string): Promise<void> {
    for (const s of await this.store.daySegments(this.stream, day)) {
      if (s.open) await this.recoverFile(day, s.file, s.path);
    }
  }

  private async recoverFile(day: string, file: string, path: string): Promise<void> {
    try {
      const scan = await scanSegmentFile(path);
      if (scan.frames === 0) throw new Error('no complete fragment');
      const fh = await open(path, 'r+');
      await fh.truncate(scan.validEnd); // drop a torn last fragment so the file ends cleanly
      await fh.close();
      await this.closeLine(day, { file, startUs: scan.startUs, endUs: scan.endUs, bytes: scan.validEnd, frames: scan.frames, track: scan.track });
      log.info(`recovered ${this.stream}/${day}/${file}: ${scan.frames} frames up to the last complete fragment`);
    } catch (e) {
      await unlink(path).catch(() => {});
      const totals = this.days.find((d) => d.day === day) ?? (await readTotals(this.store.indexPath(this.stream, day)));
      await appendLine(this.store.indexPath(this.stream, day), { f: file, d: 1, t: totals.bytes, k: totals.count });
      log.info(`removed ${this.stream}/${day}/${file}: nothing playable in it (${(e as Error).message})`);
    }
  }

  private async closeLine(day: string, s: { file: string; startUs: number; endUs: number; bytes: number; frames: number; track: Track }): Promise<void> {
    let d = this.days.find((x) => x.day === day);
    if (!d) {
      // Recovery runs before the day totals are loaded; they are read after it.
      const t = await readTotals(this.store.indexPath(this.stream, day));
      d = { day, bytes: t.bytes, count: t.count };
      await this.append(day, { f: s.file, s: s.startUs, e: s.endUs, b: s.bytes, n: s.frames, c: s.track.codec, w: s.track.width, h: s.track.height, t: d.bytes + s.bytes, k: d.count + 1 });
      return;
    }
    d.bytes += s.bytes;
    d.count++;
    await this.append(day, { f: s.file, s: s.startUs, e: s.endUs, b: s.bytes, n: s.frames, c: s.track.codec, w: s.track.width, h: s.track.height, t: d.bytes, k: d.count });
    this.closed.delete(day); // reload when asked: a new closed segment joined that day
  }

  private append(day: string, line: IndexLine): Promise<void> {
    return appendLine(this.store.indexPath(this.stream, day), line);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch {
    return false;
  }
}
