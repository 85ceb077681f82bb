/**
 * jpeg: byte-level JPEG helpers (no decoding): start/end markers and picture size.
 *
 * ```
 * FF D8                      SOI
 * FF Cn LL LL P HH HH WW WW  SOFn (n = 0..15 except 4, 8, 12): precision, height, width
 * FF xx LL LL …              other segments, LL LL = length including itself
 * FF DA …                    SOS, entropy-coded data follows
 * FF D9                      EOI
 * ```
 */

/** JpegSize is the picture size read from a SOF segment. */
export interface JpegSize {
  width: number;
  height: number;
}

/** isJpeg tells whether `b` starts with SOI and ends with EOI (trailing zero padding tolerated). */
export function isJpeg(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return false;
  let end = b.length;
  while (end > 2 && b[end - 1] === 0) end--;
  return b[end - 2] === 0xff && b[end - 1] === 0xd9;
}

/** jpegSize walks the marker segments up to SOS and returns the SOF size, or undefined. */
export function jpegSize(b: Uint8Array): JpegSize | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2; // markers without a length
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2 || i + 2 + len > b.length) return undefined;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (len < 7) return undefined;
      const height = (b[i + 5] << 8) | b[i + 6];
      const width = (b[i + 7] << 8) | b[i + 8];
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    i += 2 + len;
  }
  return undefined;
}
