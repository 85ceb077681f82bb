/**
 * recordings: helpers for recorder tests — publish frames with chosen capture times, decode
 * recorded files with ffmpeg, and read frame checksums to compare pictures frame for frame.
 */
import { spawnSync } from 'node:child_process';
import type { Frame } from '../../src/frame/frame.js';
import type { Publisher } from '../../src/hub/stream.js';
import { DEFAULTS_RECORDING } from '../../src/sinks/recorder/defaults.js';
import type { RecorderOptions } from '../../src/sinks/recorder/recorder.js';

/** FRAME_US: 30 fps in µs (fractional; capture times are rounded per frame). */
export const FRAME_US = 1e6 / 30;

/** publishTimed publishes `frames` with capture times base + i·step, yielding between frames so readers run. */
export async function publishTimed(pub: Publisher, frames: Frame[], baseUs: number, stepUs = FRAME_US, seq0 = 0): Promise<void> {
  for (let i = 0; i < frames.length; i++) {
    pub.publish({ ...frames[i], seq: seq0 + i, captureUs: baseUs + Math.round(i * stepUs) });
    await new Promise((r) => setImmediate(r));
  }
}

/** frameMd5s decodes `file` with ffmpeg and returns one MD5 per decoded picture, in order. */
export function frameMd5s(file: string, format?: string): string[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', ...(format ? ['-f', format] : []), '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffmpeg framemd5 ${file} failed: ${r.stderr}`);
  return String(r.stdout)
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());
}

/**
 * decodeErrors decodes `file` fully and returns what ffmpeg reports about reading and decoding
 * it ('' when clean). Lines from the null output muxer are left out: they are about the
 * discarded output (frames that arrived closer together than its nominal frame rate, which a
 * real source delivers in bursts), not about the file.
 */
export function decodeErrors(file: string): string {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']);
  const lines = String(r.stderr).split('\n').filter((l) => l.trim() && !l.startsWith('[null @'));
  return r.status === 0 ? lines.join('\n') : `exit ${r.status}: ${r.stderr}`;
}

/** recorderOptions gives test recorder options in `dir` (short segments, no retention). */
export function recorderOptions(dir: string, over: Partial<RecorderOptions> = {}): RecorderOptions {
  return { ...DEFAULTS_RECORDING, dir, ...over };
}
