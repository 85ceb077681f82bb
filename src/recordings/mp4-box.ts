/**
 * mp4-box: writing ISO BMFF (MP4) boxes — the size-prefixed, four-character-code records every
 * MP4 file is made of (ISO/IEC 14496-12 §4.2). Pure, no I/O.
 *
 * ```
 * box:      size u32 (header included) | type 4cc | payload …
 * fullbox:  size u32 | type 4cc | version u8 | flags u24 | payload …
 * ```
 */

/** box builds one box of `type` around the concatenated `parts`. */
export function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/** fullBox builds a box whose payload starts with version (u8) and flags (u24). */
export function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...parts);
}

/** u8 / u16 / u32 / u64 encode big-endian unsigned numbers (u64 from a safe integer). */
export function u8(v: number): Buffer {
  return Buffer.from([v & 0xff]);
}
/** u16 encodes a big-endian 16-bit unsigned number. */
export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff, 0);
  return b;
}
/** u32 encodes a big-endian 32-bit unsigned number (wrapping, as MP4 32-bit fields do). */
export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}
/** u64 encodes a big-endian 64-bit unsigned number from a non-negative safe integer. */
export function u64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.round(v))), 0);
  return b;
}
/** zeros returns n zero bytes (reserved fields). */
export function zeros(n: number): Buffer {
  return Buffer.alloc(n);
}

/** UNITY_MATRIX: the identity transformation matrix of mvhd and tkhd (16.16 and 2.30 fixed point). */
export const UNITY_MATRIX = Buffer.concat([0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32));

/** NTP_UNIX_OFFSET_S: seconds from 1900-01-01 (NTP epoch) to 1970-01-01. */
export const NTP_UNIX_OFFSET_S = 2208988800;
/** MP4_UNIX_OFFSET_S: seconds from 1904-01-01 (MP4 creation_time epoch) to 1970-01-01. */
export const MP4_UNIX_OFFSET_S = 2082844800;

/** ntpFromUs turns Unix microseconds into a 64-bit NTP timestamp (32.32 fixed point seconds). */
export function ntpFromUs(us: number): Buffer {
  const sec = Math.floor(us / 1e6);
  const frac = Math.floor(((us - sec * 1e6) / 1e6) * 2 ** 32);
  return Buffer.concat([u32(sec + NTP_UNIX_OFFSET_S), u32(frac)]);
}

/** usFromNtp turns a 64-bit NTP timestamp (high, low words) back into Unix microseconds. */
export function usFromNtp(hi: number, lo: number): number {
  return (hi - NTP_UNIX_OFFSET_S) * 1e6 + Math.round((lo / 2 ** 32) * 1e6);
}
