/**
 * index-file: the per-day recording index of one stream — an append-only JSON-lines file.
 *
 * ```
 * {"f":"013000.123.mp4","s":1764379800123000,"c":"h264","w":1280,"h":720,"t":0,"k":0}         opened
 * {"f":"013000.123.mp4","s":…,"e":1764379860140000,"b":31457280,"n":1801,…,"t":31457280,"k":1}  closed
 * {"f":"013000.123.mp4","d":1,"t":0,"k":0}                                                      deleted
 * ```
 *
 * Each line is written with one write() and fdatasync'd, so a crash leaves at most one torn last
 * line, which readers ignore. The newest line about a file wins. `t` and `k` are the day's bytes
 * and closed-segment count after that line, so a day's totals are read from its last line alone:
 * a year of 32 cameras (~17 million segments) never has to be parsed to know how much is stored.
 */
import { open, readFile } from 'node:fs/promises';
import type { Codec } from '../frame/frame.js';

/** IndexLine is one line of a day index (see the file comment). */
export interface IndexLine {
  /** f: the segment file name inside the day directory. */
  f: string;
  /** s: wall-clock start (Unix µs); e: end, present once closed. */
  s?: number;
  e?: number;
  /** b: bytes; n: frames (once closed). */
  b?: number;
  n?: number;
  c?: Codec;
  w?: number;
  h?: number;
  /** d: 1 when the segment was deleted. */
  d?: 1;
  /** t / k: the day's bytes / closed segments after this line. */
  t: number;
  k: number;
}

/** appendLine appends one line and waits until it is on disk. */
export function appendLine(path: string, line: IndexLine): Promise<void> {
  return appendDurably(path, JSON.stringify(line) + '\n');
}

/** appendDurably appends `text` with one write and waits until it is on disk (fdatasync). */
export async function appendDurably(path: string, text: string): Promise<void> {
  const fh = await open(path, 'a');
  try {
    await fh.write(text);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** parseLines parses an index file's text, skipping a torn or corrupt line. */
export function parseLines(text: string): IndexLine[] {
  const out: IndexLine[] = [];
  for (const l of text.split('\n')) {
    if (!l) continue;
    try {
      const o = JSON.parse(l) as IndexLine;
      if (typeof o.f === 'string' && typeof o.t === 'number') out.push(o);
    } catch {
      // a line torn by a crash: the segment it described is recovered from the file itself
    }
  }
  return out;
}

/** readLines reads a whole day index; a missing file is an empty day. */
export async function readLines(path: string): Promise<IndexLine[]> {
  try {
    return parseLines(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** TAIL_BYTES: the last lines of an index are ~200 bytes each; 4 KiB holds several whole ones. */
const TAIL_BYTES = 4096;

/** readTotals returns a day's bytes and closed-segment count from its last complete line. */
export async function readTotals(path: string): Promise<{ bytes: number; count: number }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { bytes: 0, count: 0 };
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    const len = Math.min(size, TAIL_BYTES);
    const b = Buffer.alloc(len);
    await fh.read(b, 0, len, size - len);
    const lines = parseLines(b.toString('utf8').split('\n').slice(size > len ? 1 : 0).join('\n'));
    const last = lines[lines.length - 1];
    if (last) return { bytes: last.t, count: last.k };
  } finally {
    await fh.close();
  }
  // No whole line in the tail (cannot happen with camwire's short lines): read it all.
  const all = await readLines(path);
  const last = all[all.length - 1];
  return { bytes: last?.t ?? 0, count: last?.k ?? 0 };
}
