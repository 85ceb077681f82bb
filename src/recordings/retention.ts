/**
 * retention: which segment goes next when the disk budget or the age limit is exceeded. Pure:
 * the recorder asks after every fragment it writes, so the disk is never over a size budget by
 * more than the segment being written, which is never deleted.
 */

/** RetentionPolicy: 0 means no limit. */
export interface RetentionPolicy {
  /** keepUs: delete segments that ended longer ago than this (wall clock). */
  keepUs: number;
  /** maxBytes: keep the stream's (or all streams') recordings under this many bytes. */
  maxBytes: number;
}

/** StreamView is what retention knows of one stream. */
export interface StreamView {
  stream: string;
  /** bytes on disk, the open segment included. */
  bytes: number;
  /** oldest: the first-written closed segment that no event keeps (the open one is never a candidate). */
  oldest?: { startUs: number; endUs: number };
  /** kept: the first-written closed segment counting those events keep — size limits take it when `oldest` is absent. */
  kept?: { startUs: number; endUs: number };
  /** policy: this stream's own limits (from config), else the global ones apply. */
  policy?: Partial<RetentionPolicy>;
}

/** RetentionReason says why a segment was chosen (for logs and metrics). */
export type RetentionReason = 'age' | 'stream-size' | 'total-size';

/** Deletion is retention's answer: `stream`'s `oldest` segment goes (its `kept` one when `kept` is true). */
export interface Deletion {
  stream: string;
  reason: RetentionReason;
  kept?: true;
}

/**
 * nextDeletion returns the stream whose oldest segment must go now and why, or undefined when
 * every limit holds. Per-stream limits come first; the global size budget then takes the
 * segment with the earliest start across streams. Age never takes a segment an event keeps
 * (that is what `--keep-events` is for); a size limit takes one only when nothing else is left.
 */
export function nextDeletion(views: readonly StreamView[], global: RetentionPolicy, nowUs: number): Deletion | undefined {
  for (const v of views) {
    const keepUs = v.policy?.keepUs ?? global.keepUs;
    if (v.oldest && keepUs > 0 && v.oldest.endUs < nowUs - keepUs) return { stream: v.stream, reason: 'age' };
    const maxBytes = v.policy?.maxBytes ?? 0;
    if (maxBytes > 0 && v.bytes > maxBytes) {
      if (v.oldest) return { stream: v.stream, reason: 'stream-size' };
      if (v.kept) return { stream: v.stream, reason: 'stream-size', kept: true };
    }
  }
  if (global.maxBytes > 0 && views.reduce((n, v) => n + v.bytes, 0) > global.maxBytes) {
    for (const key of ['oldest', 'kept'] as const) {
      let pick: StreamView | undefined;
      for (const v of views) if (v[key] && (!pick || v[key]!.startUs < pick[key]!.startUs)) pick = v;
      if (pick) return key === 'kept' ? { stream: pick.stream, reason: 'total-size', kept: true } : { stream: pick.stream, reason: 'total-size' };
    }
  }
  return undefined;
}

const UNITS_US: Record<string, number> = { s: 1e6, m: 60e6, h: 3600e6, d: 86400e6, w: 7 * 86400e6 };

/** parseAge parses "7d", "12h", "90m", "30s", "2w" into µs; undefined if malformed. "0" is no limit. */
export function parseAge(s: string): number | undefined {
  if (s === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(s.trim());
  return m ? Math.round(Number(m[1]) * UNITS_US[m[2]]) : undefined;
}

const UNITS_BYTES: Record<string, number> = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4 };

/** parseBytes parses "20GB", "500MB", "1.5TB", "512MiB", "1000000" into bytes; undefined if malformed. */
export function parseBytes(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(s.trim());
  const unit = m ? UNITS_BYTES[m[2].toUpperCase()] : undefined;
  return m && unit !== undefined ? Math.round(Number(m[1]) * unit) : undefined;
}
