/**
 * probe: asks ffmpeg what an input holds (codec and size of its first video stream) before
 * deciding to copy or re-encode, and catches a missing file or a refused URL with a clear line
 * before anything is published. Uses ffmpeg itself (`ffmpeg -i INPUT` with no output), since
 * the bundled npm build ships no ffprobe.
 */
import { spawn } from 'node:child_process';
import { createError } from '../../util/errors.js';
import type { InputInfo } from './args.js';
import { describeFailure } from './stderr.js';

/** PROBE_TIMEOUT_MS: opening an RTSP camera can take a few seconds; more than 15 is a failure. */
export const PROBE_TIMEOUT_MS = 15_000;

/** runFfmpeg runs ffmpeg to completion (or the timeout) and returns its stderr lines. */
export function runFfmpeg(ffmpeg: string, args: string[], timeoutMs = PROBE_TIMEOUT_MS): Promise<{ lines: string[]; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
    let err = '';
    let timedOut = false;
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 256 * 1024) err += d.toString();
    });
    const t = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => (err += `\n${e.message}`));
    child.once('close', () => {
      clearTimeout(t);
      resolve({ lines: err.split(/\r?\n/).map((l) => l.trim()).filter(Boolean), timedOut });
    });
  });
}

/** parseInputInfo reads the first video stream line of ffmpeg's input dump. */
export function parseInputInfo(lines: readonly string[]): InputInfo | undefined {
  for (const l of lines) {
    const m = /Stream #\d+:\d+.*?: Video: ([A-Za-z0-9_]+)(.*)$/.exec(l);
    if (!m) continue;
    const size = /[ ,](\d{1,5})x(\d{1,5})[ ,[]/.exec(m[2] + ' ');
    return { codec: m[1], size: size ? { width: Number(size[1]), height: Number(size[2]) } : undefined };
  }
  return undefined;
}

/** probeInput opens `inputArgs` with ffmpeg and returns what it holds, or throws one clear line. */
export async function probeInput(ffmpeg: string, inputArgs: string[], label: string): Promise<InputInfo> {
  // -re and -stream_loop matter only when reading frames; the probe reads none.
  const args = inputArgs.filter((a, i) => a !== '-re' && a !== '-stream_loop' && inputArgs[i - 1] !== '-stream_loop');
  // Default log level: the stream dump this reads is printed at "info".
  const { lines, timedOut } = await runFfmpeg(ffmpeg, ['-hide_banner', '-nostdin', ...args]);
  const info = parseInputInfo(lines);
  if (info) return info;
  if (lines.some((l) => /^Input #0/.test(l))) throw createError('CAMWIRE_ERR_SOURCE', `${label}: has no video stream`);
  throw createError('CAMWIRE_ERR_SOURCE', describeFailure(label, lines, timedOut ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : 'while opening'));
}
