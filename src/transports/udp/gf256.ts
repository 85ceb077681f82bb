/**
 * gf256: arithmetic in GF(2^8) (polynomial x^8+x^4+x^3+x^2+1, 0x11d) over byte arrays, the
 * ground the parity code of fec.ts stands on. Addition is XOR; multiplication uses a 64 KiB
 * product table, so multiplying a 1408-byte fragment by a constant is one lookup per byte.
 */

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
/** MUL[a << 8 | b] = a·b; row `a` is the table for multiplying by the constant a. */
const MUL = new Uint8Array(65536);

{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
  for (let a = 1; a < 256; a++) for (let b = 1; b < 256; b++) MUL[(a << 8) | b] = EXP[LOG[a] + LOG[b]];
}

/** gfMul multiplies two field elements. */
export function gfMul(a: number, b: number): number {
  return MUL[(a << 8) | b];
}

/** gfInv returns the multiplicative inverse of a non-zero element. */
export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('0 has no inverse in GF(256)');
  return EXP[255 - LOG[a]];
}

/** xorInto sets dst[i] ^= src[i] for every byte of src (dst at least as long); 4 bytes a step when aligned. */
export function xorInto(dst: Uint8Array, src: Uint8Array): void {
  const n = src.length;
  let i = 0;
  if ((dst.byteOffset & 3) === 0 && (src.byteOffset & 3) === 0 && n >= 16) {
    const words = n >> 2;
    const d = new Int32Array(dst.buffer, dst.byteOffset, words);
    const s = new Int32Array(src.buffer, src.byteOffset, words);
    for (let w = 0; w < words; w++) d[w] ^= s[w];
    i = words << 2;
  }
  for (; i < n; i++) dst[i] ^= src[i];
}

/** mulAddInto sets dst[i] ^= c·src[i] for every byte of src: the inner loop of encoding and repair. */
export function mulAddInto(dst: Uint8Array, src: Uint8Array, c: number): void {
  if (c === 0) return;
  if (c === 1) return xorInto(dst, src);
  const row = MUL.subarray(c << 8, (c << 8) + 256);
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] ^= row[src[i]];
}

/** gfInvertMatrix inverts a square matrix (rows of elements) in place by Gauss–Jordan; false if singular. */
export function gfInvertMatrix(m: number[][]): boolean {
  const n = m.length;
  const inv = m.map((_, i) => m.map((__, j): number => (i === j ? 1 : 0)));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && m[pivot][col] === 0) pivot++;
    if (pivot === n) return false;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    [inv[col], inv[pivot]] = [inv[pivot], inv[col]];
    const f = gfInv(m[col][col]);
    for (let j = 0; j < n; j++) {
      m[col][j] = gfMul(m[col][j], f);
      inv[col][j] = gfMul(inv[col][j], f);
    }
    for (let r = 0; r < n; r++) {
      const c = m[r][col];
      if (r === col || c === 0) continue;
      for (let j = 0; j < n; j++) {
        m[r][j] ^= gfMul(c, m[col][j]);
        inv[r][j] ^= gfMul(c, inv[col][j]);
      }
    }
  }
  for (let i = 0; i < n; i++) m[i] = inv[i];
  return true;
}
