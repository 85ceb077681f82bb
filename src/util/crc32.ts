/**
 * crc32: the CRC-32 (IEEE 802.3, as in zip and PNG) of a byte array. Node ≥ 20.15 has it
 * natively in zlib; older Node 20 releases get the table-driven version below.
 */
import * as zlib from 'node:zlib';

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

function crc32js(b: Uint8Array, value = 0): number {
  let c = ~value;
  for (let i = 0; i < b.length; i++) c = TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const native = (zlib as { crc32?: (b: Uint8Array, value?: number) => number }).crc32;

/** crc32 returns the unsigned CRC-32 of `b`, continuing from `value` (the CRC of what came before). */
export const crc32: (b: Uint8Array, value?: number) => number = native ?? crc32js;

/** crc32Portable is the JavaScript implementation (exported so tests can compare both). */
export const crc32Portable = crc32js;
