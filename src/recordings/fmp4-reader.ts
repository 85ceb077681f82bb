/**
 * fmp4-reader: reads back what segment files hold — the track from `moov`, then each complete
 * fragment's wall clock (prft), media time (tfdt) and samples (trun) with their byte ranges in
 * the file. Reads box headers with positional reads and skips sample bytes, so scanning a
 * 60 s segment costs a few kilobytes of I/O. A torn tail (a crash mid-fragment) ends the scan:
 * `validEnd` is where the last complete fragment ends.
 *
 * Every length is checked against the file and against its parent before it is used.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { createError } from '../util/errors.js';
import { usFromNtp } from './mp4-box.js';
import type { Track } from './track.js';

/** SampleRef is one sample of a segment: where its bytes are and how long it lasts. */
export interface SampleRef {
  offset: number;
  size: number;
  duration: number;
  keyframe: boolean;
}

/** FragmentRef is one complete fragment of a segment. */
export interface FragmentRef {
  /** wallUs: wall-clock time of the first sample (from prft), Unix µs. */
  wallUs: number;
  decodeTime: number;
  samples: SampleRef[];
}

/** SegmentScan is what a segment file holds. */
export interface SegmentScan {
  track: Track;
  fragments: FragmentRef[];
  /** validEnd: byte offset just past the last complete fragment (the file may be longer if torn). */
  validEnd: number;
  /** startUs / endUs: wall clock of the first sample and just past the last (equal when empty). */
  startUs: number;
  endUs: number;
  frames: number;
}

/** MAX_HEADER_BOX_BYTES: moov and moof of camwire segments are a few KiB; 4 MiB refuses junk before reading it. */
const MAX_HEADER_BOX_BYTES = 4 * 1024 * 1024;

/** scanSegmentFile scans the segment at `path` (see the file comment). */
export async function scanSegmentFile(path: string): Promise<SegmentScan> {
  const fh = await open(path, 'r');
  try {
    return await scanSegment(fh, (await fh.stat()).size, path);
  } finally {
    await fh.close();
  }
}

/** scanSegment scans an open segment of `size` bytes; `name` appears in errors. */
export async function scanSegment(fh: FileHandle, size: number, name: string): Promise<SegmentScan> {
  const bad = (msg: string) => createError('CAMWIRE_ERR_BAD_RECORDING', `${name}: ${msg}`);
  let pos = 0;
  let track: Track | undefined;
  let prftUs: number | undefined;
  let pending: { decodeTime: number; samples: Omit<SampleRef, 'offset'>[]; dataOffset: number; moofAt: number } | undefined;
  const fragments: FragmentRef[] = [];
  let validEnd = 0;
  while (pos + 8 <= size) {
    const head = await readAt(fh, pos, 8);
    let boxSize = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    let headerLen = 8;
    if (boxSize === 1) {
      if (pos + 16 > size) break;
      boxSize = Number((await readAt(fh, pos + 8, 8)).readBigUInt64BE(0));
      headerLen = 16;
    } else if (boxSize === 0) boxSize = size - pos;
    if (boxSize < headerLen || pos + boxSize > size) break; // torn tail
    const wantBody = type === 'moov' || type === 'moof' || type === 'prft';
    if (wantBody && boxSize > MAX_HEADER_BOX_BYTES) throw bad(`${type} box of ${boxSize} bytes is over ${MAX_HEADER_BOX_BYTES}`);
    const body = wantBody ? await readAt(fh, pos + headerLen, boxSize - headerLen) : undefined;
    if (type === 'moov' && body) {
      track = parseMoov(body);
      if (!track) throw bad('its moov describes no H.264 or JPEG video track');
      validEnd = pos + boxSize;
    } else if (type === 'prft' && body) {
      prftUs = body.length >= 16 ? usFromNtp(body.readUInt32BE(8), body.readUInt32BE(12)) : undefined;
    } else if (type === 'moof' && body) {
      pending = parseMoof(body, pos);
    } else if (type === 'mdat' && pending) {
      let off = pending.moofAt + pending.dataOffset;
      const samples: SampleRef[] = [];
      for (const s of pending.samples) {
        samples.push({ ...s, offset: off });
        off += s.size;
      }
      if (off > pos + boxSize) throw bad('a trun describes more bytes than its mdat holds');
      fragments.push({ wallUs: prftUs ?? 0, decodeTime: pending.decodeTime, samples });
      pending = undefined;
      prftUs = undefined;
      validEnd = pos + boxSize;
    }
    pos += boxSize;
  }
  if (!track) throw bad('no complete moov box (not a camwire recording, or cut before its first bytes)');
  const first = fragments[0];
  const last = fragments[fragments.length - 1];
  const startUs = first?.wallUs ?? 0;
  const lastDur = last ? last.samples.reduce((n, s) => n + s.duration, 0) : 0;
  const endUs = last ? last.wallUs + Math.round((lastDur * 1e6) / 90000) : startUs;
  return { track, fragments, validEnd, startUs, endUs, frames: fragments.reduce((n, f) => n + f.samples.length, 0) };
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  return b.subarray(0, bytesRead);
}

/** children iterates the boxes inside `b` (a box body), stopping at the first that does not fit. */
function* children(b: Buffer): Generator<{ type: string; body: Buffer }> {
  let p = 0;
  while (p + 8 <= b.length) {
    const size = b.readUInt32BE(p);
    if (size < 8 || p + size > b.length) return;
    yield { type: b.toString('latin1', p + 4, p + 8), body: b.subarray(p + 8, p + size) };
    p += size;
  }
}

function child(b: Buffer | undefined, path: string[]): Buffer | undefined {
  let cur = b;
  for (const t of path) {
    if (!cur) return undefined;
    let found: Buffer | undefined;
    for (const c of children(cur)) if (c.type === t) found = c.body;
    cur = found;
  }
  return cur;
}

/** parseMoov reads the track from a moov body written by fmp4-init.ts. */
function parseMoov(moov: Buffer): Track | undefined {
  const stsd = child(moov, ['trak', 'mdia', 'minf', 'stbl', 'stsd']);
  if (!stsd || stsd.length < 8) return undefined;
  const entry = [...children(stsd.subarray(8))][0];
  if (!entry || entry.body.length < 78) return undefined;
  const width = entry.body.readUInt16BE(24);
  const height = entry.body.readUInt16BE(26);
  if (entry.type === 'jpeg') return { codec: 'mjpeg', width, height, sps: Buffer.alloc(0), pps: Buffer.alloc(0) };
  if (entry.type !== 'avc1') return undefined;
  const c = child(entry.body.subarray(78), ['avcC']);
  if (!c || c.length < 8) return undefined;
  const spsLen = c.readUInt16BE(6);
  if (8 + spsLen + 3 > c.length) return undefined;
  const sps = Buffer.from(c.subarray(8, 8 + spsLen));
  const ppsLen = c.readUInt16BE(8 + spsLen + 1);
  if (8 + spsLen + 3 + ppsLen > c.length) return undefined;
  const pps = Buffer.from(c.subarray(8 + spsLen + 3, 8 + spsLen + 3 + ppsLen));
  return { codec: 'h264', width, height, sps, pps };
}

/** parseMoof reads tfdt and trun (flags 0x701, as fmp4-fragment.ts writes) from a moof body. */
function parseMoof(moof: Buffer, moofAt: number) {
  const traf = child(moof, ['traf']);
  const tfdt = child(traf, ['tfdt']);
  const trun = child(traf, ['trun']);
  if (!tfdt || !trun || trun.length < 12) return undefined;
  const decodeTime = tfdt[0] === 1 && tfdt.length >= 12 ? Number(tfdt.readBigUInt64BE(4)) : tfdt.length >= 8 ? tfdt.readUInt32BE(4) : 0;
  const flags = trun.readUInt32BE(0) & 0xffffff;
  if (flags !== 0x701) return undefined;
  const count = trun.readUInt32BE(4);
  if (12 + count * 12 > trun.length) return undefined;
  const dataOffset = trun.readInt32BE(8);
  const samples: Omit<SampleRef, 'offset'>[] = [];
  for (let i = 0; i < count; i++) {
    const p = 12 + i * 12;
    samples.push({ duration: trun.readUInt32BE(p), size: trun.readUInt32BE(p + 4), keyframe: (trun.readUInt32BE(p + 8) & 0x00010000) === 0 });
  }
  return { decodeTime, samples, dataOffset, moofAt };
}
