/**
 * store: where recordings live on disk and how to find them.
 *
 * ```
 * DIR/
 *   door/                       one directory per stream ("/" in a name becomes "~")
 *     2026-11-29/               one per UTC day the recorder wrote in (never goes backwards)
 *       index.jsonl             the day's index (index-file.ts)
 *       013000.123.mp4          segments, named by their wall-clock start (HHMMSS.mmm UTC)
 * ```
 *
 * "What exists between A and B" reads the index of the days around A..B only. A day directory
 * is the day the recorder *wrote* in, and it never goes backwards, so after the wall clock jumps
 * back the newest segments still sort last (retention deletes in write order).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Codec } from '../frame/frame.js';
import { isValidStreamName } from '../frame/frame.js';
import { readLines, type IndexLine } from './index-file.js';

/** INDEX_FILE: the name of each day's index. */
export const INDEX_FILE = 'index.jsonl';

/** SegmentInfo is one recorded segment as the index knows it. */
export interface SegmentInfo {
  stream: string;
  day: string;
  file: string;
  /** path: the file's full path. */
  path: string;
  startUs: number;
  /** endUs: wall clock just past the last frame; for a segment still open, its start. */
  endUs: number;
  bytes: number;
  frames: number;
  codec: Codec;
  width: number;
  height: number;
  /** open: still being written (or left open by a crash, until the recorder recovers it). */
  open: boolean;
}

/** streamDir maps a stream name to its directory name ("/" → "~"; "~" never occurs in names). */
export function streamDir(stream: string): string {
  return stream.replaceAll('/', '~');
}

/** DAY_PATTERN: a day directory's name. */
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** dayOf returns the UTC day (YYYY-MM-DD) of a Unix µs time. */
export function dayOf(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);
}

/** fileNameOf returns a segment's file name for its start time (HHMMSS.mmm UTC), `n` > 1 for a clash. */
export function fileNameOf(startUs: number, n = 1): string {
  const iso = new Date(Math.floor(startUs / 1000)).toISOString(); // 2026-11-29T01:30:00.123Z
  const base = iso.slice(11, 23).replace(/:/g, '');
  return n > 1 ? `${base}-${n}.mp4` : `${base}.mp4`;
}

/** RecordingStore reads a recordings directory; the recorder (sinks/recorder) writes it. */
export class RecordingStore {
  constructor(readonly root: string) {}

  /** dayDir is the directory of `stream`'s `day`. */
  dayDir(stream: string, day: string): string {
    return join(this.root, streamDir(stream), day);
  }

  /** indexPath is the index file of `stream`'s `day`. */
  indexPath(stream: string, day: string): string {
    return join(this.dayDir(stream, day), INDEX_FILE);
  }

  /** streams lists the streams that have a directory. */
  async streams(): Promise<string[]> {
    const names = await dirs(this.root);
    return names.map((n) => n.replaceAll('~', '/')).filter(isValidStreamName).sort();
  }

  /** days lists the day directories of `stream`, oldest first. */
  async days(stream: string): Promise<string[]> {
    return (await dirs(join(this.root, streamDir(stream)))).filter((d) => DAY_PATTERN.test(d)).sort();
  }

  /** daySegments returns the segments of one day in the order they were written. */
  async daySegments(stream: string, day: string): Promise<SegmentInfo[]> {
    return segmentsOf(stream, day, this.dayDir(stream, day), await readLines(this.indexPath(stream, day)));
  }

  /**
   * list returns the segments of `stream` that overlap [fromUs, toUs), in time order. It reads
   * the index of the days from the one before `fromUs` (a segment may cross midnight) to the one
   * after `toUs` (the write day may run ahead of a segment's wall clock after a clock jump).
   * An open segment counts as reaching up to now, so a clip of the last seconds is found.
   */
  async list(stream: string, fromUs: number, toUs: number): Promise<SegmentInfo[]> {
    const lo = dayOf(fromUs - 86_400e6);
    const hi = dayOf(toUs + 86_400e6);
    const out: SegmentInfo[] = [];
    // A segment being written holds frames up to about now; the index knows only its start.
    const nowUs = Date.now() * 1000;
    for (const day of await this.days(stream)) {
      if (day < lo || day > hi) continue;
      for (const s of await this.daySegments(stream, day)) if (s.startUs < toUs && Math.max(s.open ? nowUs : s.endUs, s.startUs + 1) > fromUs) out.push(s);
    }
    return out.sort((a, b) => a.startUs - b.startUs);
  }
}

/** segmentsOf applies a day's index lines (newest line about a file wins) in write order. */
export function segmentsOf(stream: string, day: string, dir: string, lines: IndexLine[]): SegmentInfo[] {
  const byFile = new Map<string, SegmentInfo>();
  for (const l of lines) {
    if (l.d) {
      byFile.delete(l.f);
      continue;
    }
    const prev = byFile.get(l.f);
    const startUs = l.s ?? prev?.startUs ?? 0;
    byFile.set(l.f, {
      stream,
      day,
      file: l.f,
      path: join(dir, l.f),
      startUs,
      endUs: l.e ?? startUs,
      bytes: l.b ?? 0,
      frames: l.n ?? 0,
      codec: l.c ?? prev?.codec ?? 'h264',
      width: l.w ?? prev?.width ?? 0,
      height: l.h ?? prev?.height ?? 0,
      open: l.e === undefined,
    });
  }
  return [...byFile.values()];
}

async function dirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
