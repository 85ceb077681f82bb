/**
 * rejections: counts the datagrams a UDP endpoint ignored, by error code, and says so in the log
 * at most once a second — a flood of garbage costs a counter, not a log line per datagram.
 */
import type { ErrorCode } from '../../util/errors.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import type { Rejection } from './wire.js';

const log = createLogger('udp');

/** Rejections is a per-endpoint tally of ignored datagrams; see the file comment. */
export class Rejections {
  private readonly byCode: Partial<Record<ErrorCode, number>> = {};
  private last = '';
  private readonly report: RateLimitedReport;

  constructor(label: string) {
    this.report = new RateLimitedReport((n) => log.warn(`${label}: ignored ${n} datagram${n === 1 ? '' : 's'} (last: ${this.last})`));
  }

  /** add counts one ignored datagram from `from`. */
  add(r: Rejection, from: string): void {
    this.byCode[r.rejected] = (this.byCode[r.rejected] ?? 0) + 1;
    this.last = `${r.reason} from ${from}`;
    this.report.add();
  }

  /** count is how many datagrams were ignored with `code` (all codes when absent). */
  count(code?: ErrorCode): number {
    if (code) return this.byCode[code] ?? 0;
    return Object.values(this.byCode).reduce((a, b) => a + (b ?? 0), 0);
  }

  /** toJSON returns the counts by code. */
  toJSON(): Partial<Record<ErrorCode, number>> {
    return { ...this.byCode };
  }
}
