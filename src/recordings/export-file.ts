/**
 * export-file: writes an exported clip to a file. H.264 clips are the remuxed fragments as they
 * are (export.ts); MJPEG clips go through ffmpeg into H.264, because JPEG-in-MP4 plays in ffmpeg
 * and VLC but not in browsers or phone galleries, where a downloaded clip usually ends up.
 */
import { spawn } from 'node:child_process';
import { open, rename, unlink } from 'node:fs/promises';
import { locateFfmpeg } from '../sources/ffmpeg/locate.js';
import { createError } from '../util/errors.js';
import { exportClip, type ClipInfo } from './export.js';
import type { RecordingStore } from './store.js';

/** ExportFileOptions: --ffmpeg, and whether MJPEG is kept as JPEG samples (no transcoding). */
export interface ExportFileOptions {
  ffmpegPath?: string;
  copyMjpeg?: boolean;
}

/** exportToFile writes the clip of [fromUs, toUs) to `out` (atomically: a temp file renamed at the end). */
export async function exportToFile(store: RecordingStore, stream: string, fromUs: number, toUs: number, out: string, o: ExportFileOptions = {}): Promise<ClipInfo> {
  const info: Partial<ClipInfo> = {};
  const chunks = exportClip(store, stream, fromUs, toUs, info);
  const first = await chunks.next(); // fails early (nothing recorded) before any file is made
  if (first.done) throw createError('CAMWIRE_ERR_NO_RECORDING', `nothing recorded for "${stream}" in that span`);
  const tmp = `${out}.part`;
  try {
    if (info.track!.codec === 'mjpeg' && !o.copyMjpeg) await transcode(first.value, chunks, tmp, o.ffmpegPath);
    else {
      const fh = await open(tmp, 'w');
      try {
        await fh.write(first.value);
        for await (const c of chunks) await fh.write(c);
      } finally {
        await fh.close();
      }
    }
    await rename(tmp, out);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  return info as ClipInfo;
}

/** transcode pipes the fMP4 clip through ffmpeg into an H.264 MP4 at `out`. */
async function transcode(first: Buffer, rest: AsyncGenerator<Buffer>, out: string, ffmpegPath?: string): Promise<void> {
  const ff = locateFfmpeg({ flag: ffmpegPath });
  const child = spawn(ff.path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'mp4', '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', '-y', out], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  child.stdin.on('error', () => {}); // ffmpeg failing early closes its stdin; the exit code says why
  const write = (b: Buffer) => new Promise<void>((r) => (child.stdin.write(b) ? r() : child.stdin.once('drain', r)));
  await write(first);
  for await (const c of rest) {
    if (child.exitCode !== null) break;
    await write(c);
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw createError('CAMWIRE_ERR_SOURCE', `ffmpeg could not convert the MJPEG clip (exit ${code}): ${err.trim().split('\n').pop()}`);
}
