/**
 * jpeg-whole: a strict structural check that bytes are exactly one JPEG — what a receiver without
 * frame ids needs to refuse pieces of two frames glued together.
 *
 * Marker segments are walked by their lengths (so an embedded thumbnail's markers are skipped),
 * entropy-coded data is scanned for markers (inside it FF is only ever followed by 00, D0–D7 or
 * more FF), and the picture must end with its one EOI. A second SOI or SOF, an EOI before the
 * end, or a segment running past the end fails.
 */

/** isWholeJpeg tells whether `b` is one structurally complete JPEG (see the file comment). */
export function isWholeJpeg(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return false;
  let i = 2;
  let sawScan = false;
  let frames = 0;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) return false;
    const m = b[i + 1];
    if (m === 0xff) {
      i++; // fill byte before a marker
      continue;
    }
    if (m === 0xd9) return sawScan && i + 2 === b.length;
    if (m === 0xd8 || m === 0x00) return false;
    if ((m >= 0xd0 && m <= 0xd7) || m === 0x01) {
      i += 2;
      continue;
    }
    if (i + 4 > b.length) return false;
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2 || i + 2 + len > b.length) return false;
    i += 2 + len;
    // One picture has one frame header: a second SOF means a second picture's headers.
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc && ++frames > 1) return false;
    if (m !== 0xda) continue;
    sawScan = true;
    i = scanEnd(b, i);
  }
  return false;
}

/** scanEnd returns the offset of the first marker after entropy-coded data starting at `i`. */
function scanEnd(b: Uint8Array, i: number): number {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  for (;;) {
    const j = buf.indexOf(0xff, i);
    if (j < 0 || j + 1 >= b.length) return b.length;
    const n = b[j + 1];
    if (n === 0x00 || (n >= 0xd0 && n <= 0xd7)) {
      i = j + 2;
      continue;
    }
    return j;
  }
}
