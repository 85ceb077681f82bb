/**
 * seed-fuzz-seeds: valid streams of every seed format, made by camwire's own writers (which match
 * numpy's bytes, see codecs.test), to start the fuzz loops from.
 */
import sharp from 'sharp';
import { encodeLenJpeg } from '../src/transports/seed/len-jpeg.js';
import { encodePickleBgr } from '../src/transports/seed/pickle-bgr.js';
import { encodePickleJpeg } from '../src/transports/seed/pickle-jpeg.js';
import type { TcpWire } from '../src/transports/seed/formats.js';
import { Prng } from './prng.js';

/** FuzzSeeds: a few JPEGs, and for each TCP wire a few valid two-message streams. */
export interface FuzzSeeds {
  jpegs: Buffer[];
  streams: Record<TcpWire, Buffer[]>;
}

/** numpy2 rewrites a writer's pickle as numpy 2.x writes it (numpy._core; FRAME one byte longer). */
function numpy2Bgr(parts: Buffer[]): Buffer {
  const b = Buffer.concat(parts.slice(1));
  const old = Buffer.from('\x8c\x15numpy.core.multiarray', 'latin1');
  const at = b.indexOf(old);
  const out = Buffer.concat([b.subarray(0, at), Buffer.from('\x8c\x16numpy._core.multiarray', 'latin1'), b.subarray(at + old.length)]);
  out.writeBigUInt64LE(out.readBigUInt64LE(3) + 1n, 3);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(out.length));
  return Buffer.concat([len, out]);
}

/** makeFuzzSeeds builds the seeds (small pictures, so a million inputs run in minutes). */
export async function makeFuzzSeeds(): Promise<FuzzSeeds> {
  const r = new Prng(7);
  const pics: { w: number; h: number; raw: Buffer }[] = [
    { w: 16, h: 8, raw: r.bytes(16 * 8 * 3) },
    { w: 24, h: 16, raw: Buffer.alloc(24 * 16 * 3, 90) },
    { w: 40, h: 24, raw: r.bytes(40 * 24 * 3) },
  ];
  const jpegs = await Promise.all(pics.map((p) => sharp(p.raw, { raw: { width: p.w, height: p.h, channels: 3 } }).jpeg({ quality: 80 }).toBuffer()));
  const two = (f: (k: number) => Buffer[]) => [0, 1, 2].map((k) => Buffer.concat([...f(k), ...f((k + 1) % 3)]));
  return {
    jpegs,
    streams: {
      'len-jpeg': two((k) => encodeLenJpeg(jpegs[k])),
      'pickle-jpeg': two((k) => encodePickleJpeg(jpegs[k])),
      'pickle-bgr': [...two((k) => encodePickleBgr({ width: pics[k].w, height: pics[k].h, pixels: pics[k].raw })), numpy2Bgr(encodePickleBgr({ width: 16, height: 8, pixels: pics[0].raw }))],
    },
  };
}
