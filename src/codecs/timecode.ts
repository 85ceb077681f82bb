/**
 * timecode: the capture time drawn into the picture as a machine-readable strip, and read back
 * from decoded pixels — so the glass-to-glass latency of any pipeline (ffmpeg, GStreamer, a
 * WebRTC gateway, a browser canvas) can be measured from its pictures alone, without the
 * pipeline carrying camwire's capture time.
 *
 * The strip is the bottom eighth of the picture, full width, in grey only (so chroma subsampling
 * cannot touch it). It holds 64 bits — 48 bits of µs since the epoch (mod 2^48, about 8.9 years;
 * the reader takes the value nearest its own clock) and a 16-bit CRC — as 2 rows of 32 bit cells
 * between guard cells. Each cell is split into a top and a bottom half in opposite shades
 * (Manchester), so a bit is read by comparing two neighbouring areas, never against a fixed
 * threshold: brightness shifts, range conversion and blur leave the sign alone. Cells are
 * 1/34 of the width and 1/32 of the height per half: at 320×180 still ~9×5 pixels, sampled only
 * in their centre, which is what lets the strip survive JPEG q30, x264 at 500 kbit/s and scaling.
 *
 * Reading refuses rather than guesses: guard cells must show a clear white/black contrast, every
 * bit must differ clearly between its halves, and the CRC must match — otherwise "unreadable".
 * This file is pure (Uint8Array in, number out): the browser viewer imports it too.
 */

/** TIME_BITS: the µs clock bits carried; CHECK_BITS: the CRC-16 over them. */
const TIME_BITS = 48;
const CHECK_BITS = 16;
const COLS = 32;
const ROWS = (TIME_BITS + CHECK_BITS) / COLS;
/** One guard column each side: the left is a "1" cell (white over black), the right a "0". */
const GRID_COLS = COLS + 2;
/** STRIP_FRACTION: the strip's share of the picture height (bottom). */
const STRIP_FRACTION = 1 / 8;
const WRAP = 2 ** TIME_BITS;
const WHITE = 255;
const BLACK = 0;
/** A guard must be at least this much brighter than its black half (of 255), or the strip is absent. */
const MIN_CONTRAST = 64;
/** Each bit's halves must differ by this share of the guards' contrast, or the reading is refused. */
const MIN_BIT_SHARE = 0.35;
/** Below this the half cells are under 2 pixels high: nothing to read. */
const MIN_HEIGHT = (ROWS * 2 * 2) / STRIP_FRACTION;

/** Picture is a decoded picture: 1 (grey), 3 (RGB) or 4 (RGBA, as a canvas gives) bytes per pixel, rows packed. */
export interface Picture {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Rect is a pixel rectangle [x0, x1) × [y0, y1). */
interface Rect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** cell returns the rectangle of half `half` (0 top, 1 bottom) of grid cell (col, row); `inset` trims each side by that share. */
function cell(width: number, height: number, col: number, row: number, half: number, inset: number): Rect {
  const top = height * (1 - STRIP_FRACTION);
  const cw = width / GRID_COLS;
  const hh = (height * STRIP_FRACTION) / (ROWS * 2);
  const x = col * cw;
  const y = top + (row * 2 + half) * hh;
  return {
    x0: Math.round(x + cw * inset),
    x1: Math.max(Math.round(x + cw * inset) + 1, Math.round(x + cw * (1 - inset))),
    y0: Math.round(y + hh * inset),
    y1: Math.max(Math.round(y + hh * inset) + 1, Math.round(y + hh * (1 - inset))),
  };
}

/** crc16 is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of `bytes`. */
function crc16(bytes: number[]): number {
  let c = 0xffff;
  for (const b of bytes) {
    c ^= b << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}

/** timeBytes splits the 48-bit clock value into 6 bytes, most significant first. */
function timeBytes(v: number): number[] {
  const out: number[] = [];
  for (let i = TIME_BITS / 8 - 1; i >= 0; i--) out.push(Math.floor(v / 2 ** (i * 8)) % 256);
  return out;
}

/** bitsOf returns the 64 strip bits (time, then CRC), most significant first. */
function bitsOf(us: number): boolean[] {
  const v = ((Math.round(us) % WRAP) + WRAP) % WRAP;
  const bits: boolean[] = [];
  const crc = crc16(timeBytes(v));
  for (const b of [...timeBytes(v), crc >> 8, crc & 0xff]) {
    for (let k = 7; k >= 0; k--) bits.push(((b >> k) & 1) === 1);
  }
  return bits;
}

/** drawTimecode paints the strip for capture time `us` (µs since the epoch) into `pic`, over whatever is there. */
export function drawTimecode(pic: Picture, us: number): void {
  const bits = bitsOf(us);
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < GRID_COLS; col++) {
      const one = col === 0 ? true : col === GRID_COLS - 1 ? false : bits[row * COLS + col - 1];
      for (let half = 0; half < 2; half++) fill(pic, cell(pic.width, pic.height, col, row, half, 0), (half === 0) === one ? WHITE : BLACK);
    }
  }
}

function fill(pic: Picture, r: Rect, v: number): void {
  const { data, width, channels } = pic;
  for (let y = r.y0; y < Math.min(r.y1, pic.height); y++) data.fill(v, (y * width + r.x0) * channels, (y * width + Math.min(r.x1, width)) * channels);
}

/** mean returns the average brightness over `r` (RGB as (r + 2g + b) / 4). */
function mean(pic: Picture, r: Rect): number {
  const { data, width, channels } = pic;
  let sum = 0;
  let n = 0;
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      const o = (y * width + x) * channels;
      sum += channels === 1 ? data[o] : (data[o] + 2 * data[o + 1] + data[o + 2]) / 4;
      n++;
    }
  }
  return sum / n;
}

/**
 * readTimecode returns the capture time (µs since the epoch) drawn in `pic`, taking of the
 * 2^48 µs values that fit the strip the one nearest `nearUs` (the reader's clock), or undefined
 * when the strip is absent, damaged or doubtful — never a wrong time.
 */
export function readTimecode(pic: Picture, nearUs: number): number | undefined {
  const { width, height, channels, data } = pic;
  if (width < GRID_COLS * 2 || height < MIN_HEIGHT || data.length < width * height * channels) return undefined;
  const half = (col: number, row: number, h: number) => mean(pic, cell(width, height, col, row, h, 0.25));
  const bits: boolean[] = [];
  for (let row = 0; row < ROWS; row++) {
    const whites = [half(0, row, 0), half(GRID_COLS - 1, row, 1)];
    const blacks = [half(0, row, 1), half(GRID_COLS - 1, row, 0)];
    const contrast = Math.min(...whites) - Math.max(...blacks);
    if (contrast < MIN_CONTRAST) return undefined;
    for (let col = 1; col <= COLS; col++) {
      const d = half(col, row, 0) - half(col, row, 1);
      if (Math.abs(d) < contrast * MIN_BIT_SHARE) return undefined;
      bits.push(d > 0);
    }
  }
  const bytes: number[] = [];
  for (let i = 0; i < bits.length; i += 8) bytes.push(bits.slice(i, i + 8).reduce((a, b) => a * 2 + (b ? 1 : 0), 0));
  const time = bytes.slice(0, TIME_BITS / 8);
  if (crc16(time) !== bytes[6] * 256 + bytes[7]) return undefined;
  const v = time.reduce((a, b) => a * 256 + b, 0);
  // The full time is the value ≡ v (mod 2^48) nearest the reader's clock.
  return v + Math.round((nearUs - v) / WRAP) * WRAP;
}
