/**
 * jpeg-entropy: checks that a baseline JPEG's entropy-coded data holds exactly its picture —
 * every block's Huffman symbols decode (no IDCT, no pixels) and the data ends where the last
 * block does. A countdown frame glued together from the head of one picture and the tail of
 * another passes every marker check but fails this one: the tail's bits do not continue the
 * head's blocks, so decoding hits a bad code, runs out early, or ends with bytes to spare.
 *
 * Covered: sequential Huffman JPEGs (SOF0, SOF1) with one scan holding every component, with or
 * without restart markers — what OpenCV, libjpeg and ffmpeg write. Anything else (progressive,
 * arithmetic, several scans) gets `undefined`: the caller falls back to the marker check.
 */

/** Huffman is a decoding table in the form of JPEG spec F.2.2.3 (codes by length). */
interface Huffman {
  maxcode: Int32Array; // [17], -1 where no code of that length
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  dc?: Huffman;
  ac?: Huffman;
}

/** entropyFits decodes a baseline JPEG's Huffman data; true: exactly one picture, false: not, undefined: not covered. */
export function entropyFits(b: Uint8Array): boolean | undefined {
  const dcTables: (Huffman | undefined)[] = [];
  const acTables: (Huffman | undefined)[] = [];
  let comps: Component[] = [];
  let width = 0;
  let height = 0;
  let restart = 0;
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const m = b[i + 1];
    if (m === 0xff) {
      i++;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    const seg = i + 4;
    const end = i + 2 + len;
    if (len < 2 || end > b.length) return false;
    if (m >= 0xc2 && m <= 0xcf && m !== 0xc4 && m !== 0xcc && m !== 0xc8) return undefined; // progressive, lossless, arithmetic
    if (m === 0xc0 || m === 0xc1) {
      if (len < 8) return false;
      height = (b[seg + 1] << 8) | b[seg + 2];
      width = (b[seg + 3] << 8) | b[seg + 4];
      const n = b[seg + 5];
      if (len < 8 + 3 * n || n === 0 || width === 0 || height === 0) return false;
      comps = [];
      for (let k = 0; k < n; k++) comps.push({ id: b[seg + 6 + 3 * k], h: b[seg + 7 + 3 * k] >> 4, v: b[seg + 7 + 3 * k] & 15 });
      if (comps.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)) return false;
    } else if (m === 0xc4) {
      for (let p = seg; p < end; ) {
        const t = readTable(b, p, end);
        if (!t) return false;
        (b[p] >> 4 === 0 ? dcTables : acTables)[b[p] & 15] = t.table;
        p = t.next;
      }
    } else if (m === 0xdd) {
      if (len !== 4) return false;
      restart = (b[seg] << 8) | b[seg + 1];
    } else if (m === 0xda) {
      const ns = b[seg];
      if (comps.length === 0 || ns < 1 || ns > 4 || len !== 6 + 2 * ns) return false; // no SOF before, or a broken header
      if (ns !== comps.length) return undefined; // one component per scan: several scans
      for (let k = 0; k < ns; k++) {
        const c = comps.find((x) => x.id === b[seg + 1 + 2 * k]);
        if (!c) return false;
        c.dc = dcTables[b[seg + 2 + 2 * k] >> 4];
        c.ac = acTables[b[seg + 2 + 2 * k] & 15];
        if (!c.dc || !c.ac) return false;
      }
      // A sequential picture's scan covers coefficients 0–63 with no successive approximation.
      if (b[seg + 1 + 2 * ns] !== 0 || b[seg + 2 + 2 * ns] !== 63 || b[seg + 3 + 2 * ns] !== 0) return false;
      const after = decodeScan(b, end, comps, width, height, restart);
      // One scan, then EOI closing the buffer.
      return after >= 0 && after + 2 === b.length && b[after] === 0xff && b[after + 1] === 0xd9;
    }
    i = end;
  }
  return false;
}

function readTable(b: Uint8Array, p: number, end: number): { table: Huffman; next: number } | undefined {
  if (p + 17 > end || (b[p] >> 4) > 1 || (b[p] & 15) > 3) return undefined;
  let total = 0;
  for (let l = 1; l <= 16; l++) total += b[p + l];
  if (p + 17 + total > end || total > 256) return undefined;
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = b[p + l];
    if (n > 0) {
      valptr[l] = k;
      mincode[l] = code;
      code += n;
      k += n;
      maxcode[l] = code - 1;
    }
    if (code > 1 << l) return undefined; // more codes than bits allow
    code <<= 1;
  }
  return { table: { maxcode, valptr, mincode, values: b.slice(p + 17, p + 17 + total) }, next: p + 17 + total };
}

/** decodeScan walks every MCU from `start`; returns the offset of the marker after the data, or -1. */
function decodeScan(b: Uint8Array, start: number, comps: Component[], width: number, height: number, restart: number): number {
  const hmax = Math.max(...comps.map((c) => c.h));
  const vmax = Math.max(...comps.map((c) => c.v));
  const single = comps.length === 1;
  const mcus = single
    ? Math.ceil(Math.ceil((width * comps[0].h) / hmax) / 8) * Math.ceil(Math.ceil((height * comps[0].v) / vmax) / 8)
    : Math.ceil(width / (8 * hmax)) * Math.ceil(height / (8 * vmax));
  // The blocks of one MCU in order, with their tables resolved once (this loop is the hot path).
  const order = comps.flatMap((c) => Array<Component>(single ? 1 : c.h * c.v).fill(c));
  const dc = order.map((c) => c.dc!);
  const ac = order.map((c) => c.ac!);
  const dcLut = dc.map(buildLut);
  const acLut = ac.map(buildLut);
  // The bit reader keeps up to 32 bits in `acc`; past a marker it feeds zero bits and counts them
  // in `pad`, so consuming any of them means the data ran out before the picture did.
  const len = b.length;
  let pos = start;
  let acc = 0;
  let nbits = 0;
  let pad = 0;
  const refill = () => {
    while (nbits <= 24) {
      let c = 0;
      if (pad === 0 && pos < len) {
        c = b[pos];
        if (c !== 0xff) pos++;
        else if (b[pos + 1] === 0x00) pos += 2;
        else {
          c = 0;
          pad += 8; // a marker: the data ends here
        }
      } else pad += 8;
      acc = ((acc << 8) | c) >>> 0;
      nbits += 8;
    }
  };
  for (let m = 0; m < mcus; m++) {
    if (restart > 0 && m > 0 && m % restart === 0) {
      refill();
      // What is left before the marker may only be the byte's padding bits.
      if (nbits - pad >= 8 || b[pos] !== 0xff || b[pos + 1] !== 0xd0 + ((m / restart - 1) & 7)) return -1;
      pos += 2;
      acc = nbits = pad = 0;
    }
    for (let bi = 0; bi < order.length; bi++) {
      let table = dc[bi];
      let lut = dcLut[bi];
      for (let k = 0; k < 64; ) {
        if (nbits <= 24) refill();
        const e = lut[(acc >>> (nbits - LUT_BITS)) & LUT_MASK];
        let sym: number;
        if (e !== 0) {
          nbits -= e >> 8;
          sym = e & 255;
        } else {
          const peek = (acc >>> (nbits - 16)) & 0xffff;
          let l = LUT_BITS + 1;
          for (; l <= 16 && peek >>> (16 - l) > table.maxcode[l]; l++);
          if (l > 16) return -1;
          nbits -= l;
          sym = table.values[table.valptr[l] + (peek >>> (16 - l)) - table.mincode[l]];
        }
        if (k === 0) {
          if (sym > 11) return -1;
          if (nbits < sym) refill();
          nbits -= sym;
          k = 1;
          table = ac[bi];
          lut = acLut[bi];
          continue;
        }
        const r = sym >> 4;
        const size = sym & 15;
        if (size === 0) {
          if (r !== 15) break; // end of block
          k += 16;
        } else {
          k += r;
          if (k > 63) return -1;
          if (nbits < size) refill();
          nbits -= size;
          k++;
        }
      }
      if (nbits < pad) return -1; // zero padding consumed: the data ended inside the picture
    }
  }
  // The picture's last bits must end the data: at most a byte's padding before the marker.
  refill();
  return nbits - pad < 8 ? pos : -1;
}

/** LUT_BITS: codes up to 9 bits (nearly all of them) decode with one table look-up. */
const LUT_BITS = 9;
const LUT_MASK = (1 << LUT_BITS) - 1;

/** buildLut maps every LUT_BITS-bit prefix to (code length << 8 | symbol), 0 when the code is longer. */
function buildLut(t: Huffman): Uint16Array {
  const lut = new Uint16Array(1 << LUT_BITS);
  for (let l = 1; l <= LUT_BITS; l++) {
    if (t.maxcode[l] < 0) continue;
    for (let code = t.mincode[l]; code <= t.maxcode[l]; code++) {
      const sym = t.values[t.valptr[l] + code - t.mincode[l]];
      const lo = code << (LUT_BITS - l);
      lut.fill((l << 8) | sym, lo, lo + (1 << (LUT_BITS - l)));
    }
  }
  return lut;
}
