/**
 * media: real encoded video for tests, made by the system ffmpeg (tests call requireTool first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** ffmpegBytes runs `ffmpeg -hide_banner -loglevel error ARGS... pipe:1` and returns stdout. */
export function ffmpegBytes(args: string[]): Buffer {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args, 'pipe:1'], { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** ffmpegFile runs ffmpeg to write `out` (any ffmpeg output file name), throwing on failure. */
export function ffmpegFile(args: string[], out: string): string {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args, out]);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} ${out} failed: ${r.stderr}`);
  return out;
}

/** testsrc gives ffmpeg input args for `seconds` of testsrc2 at the given size and rate. */
export function testsrc(size: string, rate: number, seconds: number): string[] {
  return ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-t', String(seconds)];
}

/** ffprobeFrames counts the decodable video frames in `file` (ffprobe -count_frames). */
export function ffprobeFrames(file: string, format?: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', ...(format ? ['-f', format] : []), '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
  if (r.status !== 0) throw new Error(`ffprobe ${file} failed: ${r.stderr}`);
  return Number(String(r.stdout).trim());
}

/** TempDir is a scratch directory removed by cleanup(). */
export interface TempDir {
  path: string;
  file(name: string): string;
  cleanup(): void;
}

/** tempDir creates a scratch directory under the OS temp dir. */
export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'camwire-test-'));
  return { path, file: (name) => join(path, name), cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
