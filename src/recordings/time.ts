/**
 * time: the moments people type for recordings — "10:02:00" (today, local time),
 * "2026-11-29 10:02", ISO with a zone, "2h" (that long ago), "now" — as Unix µs.
 */
import { parseAge } from './retention.js';

/** parseMoment turns `s` into Unix µs relative to `nowMs`; undefined when it is not a time. */
export function parseMoment(s: string, nowMs = Date.now()): number | undefined {
  const t = s.trim();
  if (t === 'now') return nowMs * 1000;
  const ago = parseAge(t);
  if (ago !== undefined && t !== '0') return nowMs * 1000 - ago;
  const hms = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(t);
  if (hms) {
    const d = new Date(nowMs);
    d.setHours(Number(hms[1]), Number(hms[2]), Number(hms[3] ?? 0), Number((hms[4] ?? '0').padEnd(3, '0')));
    return Number(hms[1]) < 24 && Number(hms[2]) < 60 ? d.getTime() * 1000 : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    return Number.isFinite(ms) ? ms * 1000 : undefined;
  }
  return undefined;
}

/** formatMoment prints Unix µs as local "YYYY-MM-DD HH:MM:SS.mmm". */
export function formatMoment(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
