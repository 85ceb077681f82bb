/**
 * logger: one line per event on stderr, with a level and a component tag.
 *
 * Level comes from CAMWIRE_LOG (error|warn|info|debug, default info); `setLogLevel` overrides it.
 * stdout is left alone so `camwire view --output -` and `--json` can own it.
 */
import { redact } from './redact.js';

/** LogLevel orders the levels from quietest to loudest. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

let level: LogLevel = parseLevel(process.env.CAMWIRE_LOG) ?? 'info';
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

function parseLevel(s: string | undefined): LogLevel | undefined {
  return s !== undefined && s in ORDER ? (s as LogLevel) : undefined;
}

/** setLogLevel changes the global level (the CLI's --quiet / --verbose). */
export function setLogLevel(l: LogLevel): void {
  level = l;
}

/** setLogSink redirects log lines (tests capture them; embedders route them). */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

/** Logger writes tagged lines at or below the global level. */
export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

/** createLogger returns a Logger whose lines start with `tag`. */
export function createLogger(tag: string): Logger {
  const at = (l: LogLevel) => (msg: string) => {
    // Every line is redacted: a URL with a password or token never reaches a log.
    if (ORDER[l] <= ORDER[level]) sink(`${new Date().toISOString()} ${l.padEnd(5)} [${tag}] ${redact(msg)}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/**
 * RateLimitedReport accumulates a count and reports it at most once per interval, so a
 * per-frame condition (a slow reader dropping frames) costs one log line a second, not thirty.
 */
export class RateLimitedReport {
  private pending = 0;
  private lastAt = 0;
  constructor(
    private readonly report: (count: number) => void,
    private readonly intervalMs = 1000,
  ) {}

  /** add counts `n` occurrences and reports the total if the interval has passed. */
  add(n = 1, now = Date.now()): void {
    this.pending += n;
    if (now - this.lastAt >= this.intervalMs) {
      this.lastAt = now;
      const c = this.pending;
      this.pending = 0;
      this.report(c);
    }
  }
}
