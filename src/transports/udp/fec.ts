/**
 * fec: forward error correction for one frame's fragments (pure) — parity fragments that let a
 * receiver rebuild lost data fragments without asking the sender again.
 *
 * A frame's N data fragments and M parity fragments are dealt into G interleaved groups:
 * fragment `i` (data) or `N + j` (parity) belongs to group `i mod G` (`j mod G`). A burst of up
 * to G consecutive losses therefore hits each group at most once. Inside a group of K data and
 * P parity fragments, parity row r is Σ C[r][k]·D_k over GF(2^8) with
 *
 *     C[r][k] = y_k / (r + y_k),   y_k = P + k        (a Cauchy matrix, columns scaled)
 *
 * Every square submatrix of a Cauchy matrix is invertible, so a group survives ANY P losses
 * (it is an MDS, Reed–Solomon-class code), and row 0 is all ones: with one parity per group the
 * code is plain XOR and costs one XOR per byte. Two presets (see `fecGroups`):
 *
 * - `rs`:  as few groups as GF(2^8) allows (one per 255 fragments): any M losses of a 720p
 *          frame are repaired.
 * - `xor`: one parity per group (G = M): the cheapest, repairs one loss per group, interleaved.
 *
 * Data fragments shorter than the padded length (the frame's last one) count as zero-padded.
 */
import { gfInv, gfInvertMatrix, gfMul, mulAddInto } from './gf256.js';
import { MAX_FEC_GROUP } from './wire.js';

/** FecCode names the parity presets: any M losses (`rs`) or one per group, interleaved (`xor`). */
export type FecCode = 'rs' | 'xor';


/** parityCountFor is M for N data fragments at `percent` overhead (0 = off), at most one per data fragment. */
export function parityCountFor(dataCount: number, percent: number): number {
  if (percent <= 0) return 0;
  return Math.min(dataCount, Math.ceil((dataCount * percent) / 100));
}

/** fecGroups is G for the given code: the fewest groups that fit GF(2^8) (`rs`), or M (`xor`). */
export function fecGroups(dataCount: number, parityCount: number, code: FecCode): number {
  if (parityCount === 0) return 0;
  if (code === 'xor') return parityCount;
  let g = Math.max(1, Math.ceil((dataCount + parityCount) / MAX_FEC_GROUP));
  while (Math.ceil(dataCount / g) + Math.ceil(parityCount / g) > MAX_FEC_GROUP) g++;
  return g;
}

/** FecLayout answers which group a fragment is in and where, for N data, M parity, G groups. */
export class FecLayout {
  constructor(
    readonly dataCount: number,
    readonly parityCount: number,
    readonly groups: number,
  ) {}

  /** groupOf is the group of fragment `index` (data or parity). */
  groupOf(index: number): number {
    return index < this.dataCount ? index % this.groups : (index - this.dataCount) % this.groups;
  }

  /** dataIn counts the data fragments of group g. */
  dataIn(g: number): number {
    return Math.floor((this.dataCount - 1 - g) / this.groups) + 1;
  }

  /** parityIn counts the parity fragments of group g. */
  parityIn(g: number): number {
    return Math.floor((this.parityCount - 1 - g) / this.groups) + 1;
  }
}

/** coefficient is C[r][k] for a group with `parity` parity rows (see the file comment). */
export function coefficient(r: number, k: number, parity: number): number {
  const y = parity + k;
  return gfMul(y, gfInv(r ^ y));
}

/** encodeParity computes the M parity fragments (each `padded` bytes) of `data`. */
export function encodeParity(data: readonly Uint8Array[], layout: FecLayout, padded: number): Buffer[] {
  const out: Buffer[] = [];
  for (let j = 0; j < layout.parityCount; j++) {
    const g = j % layout.groups;
    const r = Math.floor(j / layout.groups);
    const p = layout.parityIn(g);
    const parity = Buffer.alloc(padded);
    for (let k = 0, i = g; i < layout.dataCount; k++, i += layout.groups) mulAddInto(parity, data[i], coefficient(r, k, p));
    out.push(parity);
  }
  return out;
}

/**
 * recoverData fills the missing data fragments of `fragments` (N data then M parity, undefined =
 * lost) from the parity it holds. Returns the number of fragments rebuilt, or -1 if some group
 * lost more data fragments than it received parity fragments (then nothing is changed).
 */
export function recoverData(fragments: (Uint8Array | undefined)[], layout: FecLayout, padded: number): number {
  if (layout.parityCount === 0) return fragments.slice(0, layout.dataCount).every(Boolean) ? 0 : -1;
  const plans: { g: number; lost: number[]; rows: number[] }[] = [];
  for (let g = 0; g < layout.groups; g++) {
    const lost: number[] = [];
    for (let k = 0, i = g; i < layout.dataCount; k++, i += layout.groups) if (!fragments[i]) lost.push(k);
    if (lost.length === 0) continue;
    const rows: number[] = [];
    for (let r = 0, j = g; j < layout.parityCount && rows.length < lost.length; r++, j += layout.groups) if (fragments[layout.dataCount + j]) rows.push(r);
    if (rows.length < lost.length) return -1;
    plans.push({ g, lost, rows });
  }
  let rebuilt = 0;
  for (const plan of plans) rebuilt += recoverGroup(fragments, layout, padded, plan.g, plan.lost, plan.rows);
  return rebuilt;
}

function recoverGroup(fragments: (Uint8Array | undefined)[], layout: FecLayout, padded: number, g: number, lost: number[], rows: number[]): number {
  const G = layout.groups;
  const p = layout.parityIn(g);
  const lostSet = new Set(lost);
  // Syndromes: each parity row minus what the surviving data fragments contributed to it.
  const syn = rows.map((r) => {
    const s = Buffer.alloc(padded);
    s.set(fragments[layout.dataCount + g + r * G]!);
    for (let k = 0, i = g; i < layout.dataCount; k++, i += G) if (!lostSet.has(k)) mulAddInto(s, fragments[i]!, coefficient(r, k, p));
    return s;
  });
  if (lost.length === 1 && rows[0] === 0) {
    fragments[g + lost[0] * G] = syn[0]; // row 0 is all ones: the syndrome is the lost fragment
    return 1;
  }
  const a = rows.map((r) => lost.map((k) => coefficient(r, k, p)));
  if (!gfInvertMatrix(a)) throw new Error('fec: Cauchy submatrix is singular (cannot happen)');
  lost.forEach((k, b) => {
    const x = Buffer.alloc(padded);
    for (let s = 0; s < syn.length; s++) mulAddInto(x, syn[s], a[b][s]);
    fragments[g + k * G] = x;
  });
  return lost.length;
}
