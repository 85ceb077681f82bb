/**
 * frame-writer: writes frames to disk or stdout — a directory of numbered pictures, or one
 * concatenated stream file (MJPEG: JPEGs back to back; H.264: Annex B), or `-` for stdout.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Frame } from '../frame/frame.js';
import { createError } from '../util/errors.js';

/** FrameWriter writes one frame at a time; write() resolves when the sink can take the next. */
export interface FrameWriter {
  write(f: Frame): Promise<void>;
  /** close flushes and closes the file (never stdout); idempotent. */
  close(): Promise<void>;
}

/** STREAM_EXTENSIONS: file endings written as one concatenated stream instead of a directory. */
export const STREAM_EXTENSIONS = ['.mjpeg', '.mjpg', '.h264', '.264'];

/** openFrameWriter picks the writer for `target`: '-', a stream file, or a directory. */
export function openFrameWriter(target: string): FrameWriter {
  if (target === '-') return streamWriter(process.stdout, false);
  if (STREAM_EXTENSIONS.some((e) => target.toLowerCase().endsWith(e))) return streamWriter(createWriteStream(target), true);
  return dirWriter(target);
}

function streamWriter(out: NodeJS.WritableStream, own: boolean): FrameWriter {
  let failed: Error | undefined;
  let closing: Promise<void> | undefined;
  out.on('error', (e: Error) => (failed = e));
  return {
    async write(f) {
      if (failed) throw createError('CAMWIRE_ERR_CONFIG', `cannot write output: ${failed.message}`);
      if (!out.write(f.payload)) await new Promise((r) => out.once('drain', r));
    },
    close() {
      return (closing ??= own ? new Promise<void>((r) => (out as WriteStream).end(() => r())) : Promise.resolve());
    },
  };
}

function dirWriter(dir: string): FrameWriter {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `cannot create output directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let n = 0;
  return {
    async write(f) {
      n++;
      const ext = f.codec === 'mjpeg' ? 'jpg' : 'h264';
      await writeFile(join(dir, `frame-${String(n).padStart(6, '0')}.${ext}`), f.payload);
    },
    async close() {},
  };
}
