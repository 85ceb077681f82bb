/**
 * stderr: what ffmpeg says on stderr — logged without flooding, the last lines kept, and its
 * failures turned into one line a user can act on.
 */
import { createLogger, type Logger } from '../../util/logger.js';
import { redactUrl } from '../spec.js';

/** KEEP_LINES: ffmpeg's reason for failing is in its last few lines. */
export const KEEP_LINES = 20;
/** MAX_LINE_CHARS: a line longer than this is cut (ffmpeg can print binary junk from a bad stream). */
const MAX_LINE_CHARS = 300;
/** LINES_PER_SECOND: at most this many ffmpeg lines reach the log per second; the rest are counted. */
const LINES_PER_SECOND = 5;

// Lines that are expected and say nothing useful to a user.
const NOISE = [/deprecated pixel format used/i, /Failed to update header with correct/i];

/** StderrLog collects ffmpeg's stderr lines: keeps the last KEEP_LINES, logs them rate-limited. */
export class StderrLog {
  private readonly lines: string[] = [];
  private partial = '';
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly label: string,
    private readonly log: Logger = createLogger('ffmpeg'),
  ) {}

  /** push takes a chunk of stderr output. */
  push(chunk: Buffer | string, now = Date.now()): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n|\r/);
    this.partial = parts.pop()!.slice(-MAX_LINE_CHARS * 4);
    for (const p of parts) this.line(p, now);
  }

  /** last returns the kept lines, oldest first (a partial last line included). */
  last(): string[] {
    return this.partial.trim() ? [...this.lines, this.partial.trim().slice(0, MAX_LINE_CHARS)] : [...this.lines];
  }

  /** clear forgets the kept lines (a new ffmpeg run starts). */
  clear(): void {
    this.lines.length = 0;
    this.partial = '';
  }

  private line(raw: string, now: number): void {
    // Redact before cutting, so a cut cannot leave half a URL whose '@' fell past the cut.
    const l = redactUrl(raw.trim().slice(0, MAX_LINE_CHARS * 4)).slice(0, MAX_LINE_CHARS);
    if (!l) return;
    this.lines.push(l);
    if (this.lines.length > KEEP_LINES) this.lines.shift();
    if (NOISE.some((re) => re.test(l))) return;
    if (now - this.windowStart >= 1000) {
      if (this.suppressed) this.log.warn(`${this.label}: ${this.suppressed} more ffmpeg lines not shown`);
      this.windowStart = now;
      this.inWindow = 0;
      this.suppressed = 0;
    }
    if (this.inWindow++ < LINES_PER_SECOND) this.log.warn(`${this.label}: ${l}`);
    else this.suppressed++;
  }
}

// What ffmpeg prints → what to tell the user. First match in the last lines wins.
const REASONS: [RegExp, string][] = [
  [/Device or resource busy/i, 'the camera is busy: another program is using it'],
  [/Permission denied/i, 'permission denied (for a camera on Linux: add yourself to the "video" group)'],
  [/401 Unauthorized|authorization failed|Unauthorized/i, 'the camera refused the credentials (check user:password in the URL)'],
  [/403 Forbidden/i, 'access forbidden by the server'],
  [/404 Not Found/i, 'not found on the server (check the path of the URL)'],
  [/Connection refused/i, 'connection refused (is the camera on, and the port right?)'],
  [/Connection timed out|timed out|Operation timed out/i, 'timed out (is the address right and the camera reachable?)'],
  [/Name or service not known|Failed to resolve|nodename nor servname|Temporary failure in name resolution/i, 'host name not found'],
  [/Network is unreachable|No route to host/i, 'network unreachable'],
  [/Connection reset by peer|End of file|Broken pipe/i, 'the connection dropped'],
  [/No such file or directory|No such device|Could not find video device|Cannot find a proper format|I\/O error/i, 'not found'],
  [/Invalid data found when processing input|could not find codec parameters|Unknown input format/i, 'not a video ffmpeg can read'],
  [/Unknown encoder|Encoder not found|Unrecognized option 'x264-params'/i, 'this ffmpeg lacks the encoder camwire needs (libx264 or mjpeg); see "camwire doctor"'],
  [/Protocol not found|Unsupported protocol/i, 'this ffmpeg cannot open that kind of URL'],
  [/Server returned 5\d\d/i, 'the server reported an internal error'],
];

/** explainFfmpegFailure returns a short reason for ffmpeg's failure from its last stderr lines. */
export function explainFfmpegFailure(lines: readonly string[]): { reason: string; detail: string | undefined } {
  for (const [re, reason] of REASONS) {
    for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i])) return { reason, detail: lines[i] };
  }
  const useful = lines.filter((l) => !NOISE.some((re) => re.test(l)));
  const detail = [...useful].reverse().find((l) => /error|fail|invalid|cannot|could not|unable/i.test(l)) ?? useful[useful.length - 1];
  return { reason: 'ffmpeg failed', detail };
}

/** describeFailure builds the one line shown to the user: what, why, and ffmpeg's own words. */
export function describeFailure(label: string, lines: readonly string[], exit: string): string {
  const { reason, detail } = explainFfmpegFailure(lines);
  return `${label}: ${reason}${detail ? ` — ffmpeg: "${redactUrl(detail)}"` : ''} (${exit})`;
}
