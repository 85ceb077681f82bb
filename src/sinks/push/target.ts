/**
 * target: where a push goes (pure) — the URL forms `--push NAME=URL` and `send SOURCE URL`
 * accept, the ffmpeg command that copies H.264 from a pipe to that server, and what ffmpeg's
 * last lines mean when the server says no.
 *
 * H.264 arrives on ffmpeg's stdin as Annex B access units (each keyframe carries SPS/PPS, see
 * frame/frame.ts) and leaves with `-c copy`, so a push costs no encoding. Raw H.264 has no
 * timestamps: ffmpeg stamps each access unit with the wall clock as it reads it, which is when
 * camwire handed it over. Each unit is followed by an access unit delimiter, so ffmpeg's parser
 * knows the unit is complete at once instead of one frame later, when the next one starts.
 */
import { createError } from '../../util/errors.js';
import { redact } from '../../util/redact.js';
import { explainFfmpegFailure } from '../../sources/ffmpeg/stderr.js';
import { isValidStreamName } from '../../frame/frame.js';

/** PUSH_SCHEMES: the servers camwire pushes to, by URL scheme. */
export const PUSH_SCHEMES = ['rtmp', 'rtmps', 'rtsp', 'rtsps', 'srt'] as const;

/** PushScheme is one of PUSH_SCHEMES. */
export type PushScheme = (typeof PUSH_SCHEMES)[number];

/** PushSpec is one push: stream NAME of the hub to URL. */
export interface PushSpec {
  stream: string;
  url: string;
}

/** ACCESS_UNIT_DELIMITER: an H.264 AUD NAL unit (type 9, any picture type), written after each access unit. */
export const ACCESS_UNIT_DELIMITER = Buffer.from([0, 0, 0, 1, 0x09, 0xf0]);

/** isPushUrl tells whether `url` names a server camwire can push to. */
export function isPushUrl(url: string): boolean {
  return pushScheme(url) !== undefined;
}

/** pushScheme returns the scheme of a push URL, or undefined. */
export function pushScheme(url: string): PushScheme | undefined {
  const m = /^([a-z]+):\/\/[^/?#\s]/i.exec(url);
  const s = m?.[1].toLowerCase();
  return (PUSH_SCHEMES as readonly string[]).includes(s ?? '') ? (s as PushScheme) : undefined;
}

/** parsePushSpec reads `NAME=URL` (the --push flag and the push config key). */
export function parsePushSpec(text: string): PushSpec {
  const m = /^([^=]+)=(.+)$/.exec(text.trim());
  if (!m) throw createError('CAMWIRE_ERR_CONFIG', `push "${redact(text.slice(0, 200))}" must look like NAME=URL, e.g. door=rtmp://server/live/door`);
  if (!isValidStreamName(m[1])) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `push: bad stream name "${m[1].slice(0, 80)}" (letters, digits, _ - . /)`);
  if (!isPushUrl(m[2])) throw createError('CAMWIRE_ERR_CONFIG', `push "${m[1]}": "${redact(m[2].slice(0, 200))}" is not a server URL camwire pushes to (${PUSH_SCHEMES.map((s) => s + '://').join(', ')})`);
  return { stream: m[1], url: m[2] };
}

/** parsePushList reads the push config key: NAME=URL entries separated by commas or spaces. */
export function parsePushList(text: string): PushSpec[] {
  return text.split(/[\s,]+/).filter(Boolean).map(parsePushSpec);
}

/** pushArgs is the ffmpeg command line: Annex B H.264 on stdin, copied to `url`; progress on stdout. */
export function pushArgs(url: string): string[] {
  const scheme = pushScheme(url);
  if (!scheme) throw createError('CAMWIRE_ERR_CONFIG', `"${redact(url)}" is not a push URL`);
  const out =
    scheme === 'srt' ? ['-f', 'mpegts', url] : scheme.startsWith('rtsp') ? ['-f', 'rtsp', '-rtsp_transport', 'tcp', url] : ['-f', 'flv', '-flvflags', 'no_duration_filesize', url];
  return [
    '-hide_banner', '-loglevel', 'warning', '-nostats',
    // -probesize 32: the first access unit (a keyframe with SPS/PPS) is all ffmpeg needs to know.
    '-probesize', '32', '-analyzeduration', '0', '-use_wallclock_as_timestamps', '1',
    '-f', 'h264', '-i', 'pipe:0',
    '-map', '0:v:0', '-c:v', 'copy',
    '-progress', 'pipe:1', '-stats_period', '0.5',
    ...out,
  ];
}

// What ffmpeg prints when a push fails → what to tell the user. First match wins.
const PUSH_REASONS: [RegExp, string][] = [
  [/\b401\b|Unauthorized|authori[sz]ation failed|NetStream\.Publish\.BadAuth|Access denied/i, 'the server refused the credentials (check user:password or the key in the URL)'],
  [/\b403\b|Forbidden|NetStream\.Publish\.(BadName|Denied)|Server error: Already publishing/i, 'the server refused to take this stream (name in use, or publishing not allowed)'],
  [/\b404\b|Not Found|Server error: (Application|Connection failed)|NetConnection\.Connect\.Rejected/i, 'not found on the server (check the application and path of the URL)'],
  [/Connection refused/i, 'connection refused (is the server running, and the port right?)'],
  [/Input\/output error/i, 'the server closed the connection (for RTMP: no such application, or publishing refused; check the URL)'],
  [/Connection setup failure|connection (rejected|timed out)|timed out|Operation timed out/i, 'the server did not answer (is it running, and the address right?)'],
];

/** describePushFailure is the one line logged when a push's ffmpeg fails (the supervisor's `describe`). */
export function describePushFailure(label: string, lines: readonly string[], exit: string): string {
  for (const [re, reason] of PUSH_REASONS) {
    for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i])) return `${label}: ${reason} — ffmpeg: "${redact(lines[i])}" (${exit})`;
  }
  const { reason, detail } = explainFfmpegFailure(lines);
  return `${label}: ${reason}${detail ? ` — ffmpeg: "${redact(detail)}"` : ''} (${exit})`;
}

/** Progress is what ffmpeg's `-progress` blocks say so far. */
export interface Progress {
  /** totalSize: bytes written to the server by this run. */
  totalSize: number;
  frames: number;
}

/** ProgressReader reads ffmpeg's `-progress` output (key=value lines), bounded per line. */
export class ProgressReader {
  readonly progress: Progress = { totalSize: 0, frames: 0 };
  private partial = '';

  /** push takes a chunk of ffmpeg's stdout and returns true when a block ended (a progress report). */
  push(chunk: Buffer): boolean {
    const lines = (this.partial + chunk.toString('latin1')).split('\n');
    this.partial = lines.pop()!.slice(-200); // a key=value line is short; junk cannot grow it
    let ended = false;
    for (const l of lines) {
      const eq = l.indexOf('=');
      if (eq < 0) continue;
      const key = l.slice(0, eq).trim();
      const n = Number(l.slice(eq + 1).trim());
      if (key === 'total_size' && Number.isFinite(n) && n >= 0) this.progress.totalSize = n;
      else if (key === 'frame' && Number.isFinite(n) && n >= 0) this.progress.frames = n;
      else if (key === 'progress') ended = true;
    }
    return ended;
  }
}
