/**
 * pickle-bgr: Socket-Video-Streaming's (004) wire format — a pickle (protocol 4, or 3 from Python
 * 3.0–3.7) of the raw (H, W, 3) uint8 BGR frame, behind a little-endian u64 length.
 *
 * ```
 * [u64 LE L][L bytes:]
 * 80 04 95 <u64 F>                         PROTO 4, FRAME of F bytes
 *   8c 15 "numpy.core.multiarray" 94 8c 0c "_reconstruct" 94 93 94
 *   8c 05 "numpy" 94 8c 07 "ndarray" 94 93 94 4b 00 85 94 43 01 62 94 87 94 52 94
 *   28 4b 01 <H> <W> 4b 03 87 94           shape ints: 4b u8 | 4d u16 LE | 4a i32 LE
 *   68 03 8c 05 "dtype" 94 93 94 8c 02 "u1" 94 89 88 87 94 52 94
 *   28 4b 03 8c 01 "|" 94 4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62 89
 * 42 <u32 LE H·W·3> <BGR bytes, row-major>  BINBYTES (outside the frame, as Python does for big ones)
 * 95 05 00 00 00 00 00 00 00 94 74 94 62 2e
 * ```
 * Reading goes through pickle-reader and numpy-array (any framing, any int width, BINBYTES8,
 * numpy._core); writing produces the bytes above, which numpy 1.x and 2.x both load.
 */
import { writePrefix } from './length-prefix.js';
import { matchUint8Array } from './numpy-array.js';
import type { BgrPicture } from './picture.js';
import { badPickle, readPickle } from './pickle-reader.js';

/** PICKLE_BGR is the format's name (the wire= value). */
export const PICKLE_BGR = 'pickle-bgr';

/** MAX_SIDE: camwire frames are at most 65535 pixels a side (Frame invariant). */
const MAX_SIDE = 65535;

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const str = (s: string) => Buffer.concat([Buffer.from([0x8c, s.length]), Buffer.from(s, 'latin1'), Buffer.from([0x94])]);
const HEAD_A = Buffer.concat([
  str('numpy.core.multiarray'), str('_reconstruct'), hex('93 94'),
  str('numpy'), str('ndarray'), hex('93 94 4b 00 85 94 43 01 62 94 87 94 52 94 28 4b 01'),
]);
const HEAD_B = Buffer.concat([hex('87 94 68 03'), str('dtype'), hex('93 94'), str('u1'), hex('89 88 87 94 52 94 28 4b 03'), str('|'),
  hex('4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62 89')]);
const TAIL = hex('95 05 00 00 00 00 00 00 00 94 74 94 62 2e');

/** encodePickleBgr returns the message carrying a BGR picture (parts, unjoined; `pixels` is not copied). */
export function encodePickleBgr(p: Omit<BgrPicture, 'kind'>): Buffer[] {
  const frame = Buffer.concat([HEAD_A, int(p.height), int(p.width), int(3), HEAD_B]);
  const head = Buffer.alloc(11);
  head.writeUInt16BE(0x8004, 0);
  head[2] = 0x95;
  head.writeBigUInt64LE(BigInt(frame.length), 3);
  const bytes = Buffer.alloc(5);
  bytes[0] = 0x42;
  bytes.writeUInt32LE(p.pixels.length, 1);
  const len = head.length + frame.length + bytes.length + p.pixels.length + TAIL.length;
  return [writePrefix('u64le', len), head, frame, bytes, p.pixels, TAIL];
}

/** parsePickleBgr reads one message body: a pickled (H, W, 3) uint8 array. */
export function parsePickleBgr(body: Buffer): BgrPicture {
  const a = matchUint8Array(readPickle(body, PICKLE_BGR), PICKLE_BGR);
  const [h, w, c] = a.shape;
  if (a.shape.length !== 3 || c !== 3 || !(h >= 1 && h <= MAX_SIDE && w >= 1 && w <= MAX_SIDE)) {
    throw badPickle(PICKLE_BGR, `expected a BGR picture, shape (H, W, 3) with sides 1–${MAX_SIDE}, got shape (${a.shape.join(', ')})`);
  }
  return { kind: 'bgr', width: w, height: h, pixels: a.data };
}

/** int writes a non-negative int the way Python's pickler does: BININT1, BININT2 or BININT. */
function int(n: number): Buffer {
  if (n < 256) return Buffer.from([0x4b, n]);
  if (n < 65536) return Buffer.from([0x4d, n & 255, n >> 8]);
  const b = Buffer.alloc(5);
  b[0] = 0x4a;
  b.writeInt32LE(n, 1);
  return b;
}
