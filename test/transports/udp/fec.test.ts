import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeParity, fecGroups, FecLayout, parityCountFor, recoverData, type FecCode } from '../../../src/transports/udp/fec.js';
import { gfInv, gfInvertMatrix, gfMul, mulAddInto, xorInto } from '../../../src/transports/udp/gf256.js';
import { Prng } from '../../../support/prng.js';

const L = 1404;

/** cut splits `bytes` random bytes into fragments of L (last shorter) and adds parity. */
function encoded(frameBytes: number, percent: number, code: FecCode, seed = 1) {
  const prng = new Prng(seed);
  const payload = prng.bytes(frameBytes);
  const N = Math.ceil(frameBytes / L);
  const data = Array.from({ length: N }, (_, i) => payload.subarray(i * L, Math.min(frameBytes, (i + 1) * L)));
  const M = parityCountFor(N, percent);
  const layout = new FecLayout(N, M, fecGroups(N, M, code));
  const padded = Math.min(L, frameBytes);
  const parity = encodeParity(data, layout, padded);
  return { payload, data, parity, layout, padded, N, M };
}

/** lose drops the listed fragment indices and runs recovery; returns the frame or undefined. */
function recoverWith(e: ReturnType<typeof encoded>, lost: number[]): Buffer | undefined {
  const frags: (Uint8Array | undefined)[] = [...e.data, ...e.parity];
  for (const i of lost) frags[i] = undefined;
  const n = recoverData(frags, e.layout, e.padded);
  if (n < 0) return undefined;
  assert.equal(n, lost.filter((i) => i < e.N).length, 'rebuilds exactly the lost data fragments');
  return Buffer.concat(frags.slice(0, e.N) as Uint8Array[], e.payload.length);
}

describe('gf256', () => {
  it('multiplies, inverts and keeps a·a⁻¹ = 1 for every non-zero element', () => {
    for (let a = 1; a < 256; a++) assert.equal(gfMul(a, gfInv(a)), 1);
    assert.equal(gfMul(0, 77), 0);
    assert.equal(gfMul(2, 0x80), 0x1d); // reduction by 0x11d
    assert.throws(() => gfInv(0), RangeError);
  });

  it('xorInto and mulAddInto agree with byte-wise arithmetic, aligned or not', () => {
    const prng = new Prng(9);
    for (const offset of [0, 1, 3]) {
      const src = prng.bytes(101 + offset).subarray(offset);
      const dst = prng.bytes(101);
      const want = Buffer.from(dst).map((d, i) => d ^ gfMul(7, src[i]));
      const got = Buffer.from(dst);
      mulAddInto(got, src, 7);
      assert.deepEqual(got, want);
      const x = Buffer.from(dst);
      xorInto(x, src);
      assert.deepEqual(x, Buffer.from(dst).map((d, i) => d ^ src[i]));
    }
  });

  it('inverts a matrix and reports a singular one', () => {
    const m = [[1, 2], [3, 4]];
    const orig = m.map((r) => [...r]);
    assert.ok(gfInvertMatrix(m));
    const prod = orig.map((r) => [0, 1].map((j) => gfMul(r[0], m[0][j]) ^ gfMul(r[1], m[1][j])));
    assert.deepEqual(prod, [[1, 0], [0, 1]]);
    assert.equal(gfInvertMatrix([[1, 1], [1, 1]]), false);
  });
});

describe('fec layout', () => {
  const cases: { name: string; N: number; percent: number; code: FecCode; M: number; G: number }[] = [
    { name: 'no parity at 0 %', N: 34, percent: 0, code: 'rs', M: 0, G: 0 },
    { name: 'a 720p frame at 10 % rs: one group', N: 34, percent: 10, code: 'rs', M: 4, G: 1 },
    { name: 'a 720p frame at 10 % xor: one parity per group', N: 34, percent: 10, code: 'xor', M: 4, G: 4 },
    { name: 'one fragment still gets one parity', N: 1, percent: 10, code: 'rs', M: 1, G: 1 },
    { name: 'parity is capped at one per data fragment', N: 3, percent: 500, code: 'rs', M: 3, G: 1 },
    { name: 'a large frame is split into groups of at most 255', N: 1000, percent: 10, code: 'rs', M: 100, G: 5 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const M = parityCountFor(c.N, c.percent);
      assert.equal(M, c.M);
      const G = fecGroups(c.N, M, c.code);
      assert.equal(G, c.G);
      if (G > 0) {
        const layout = new FecLayout(c.N, M, G);
        let data = 0;
        let parity = 0;
        for (let g = 0; g < G; g++) {
          assert.ok(layout.dataIn(g) + layout.parityIn(g) <= 255);
          data += layout.dataIn(g);
          parity += layout.parityIn(g);
        }
        assert.deepEqual([data, parity], [c.N, M]);
      }
    });
  }
});

describe('fec recovery', () => {
  // frameBytes 47_000 → N = 34 data fragments (the last 534 bytes), M = 4 at 10 %.
  const cases: { name: string; frameBytes: number; percent: number; code: FecCode; lost: number[]; ok: boolean }[] = [
    { name: 'rs repairs any 4 lost data fragments of 34', frameBytes: 47_000, percent: 10, code: 'rs', lost: [0, 9, 20, 33], ok: true },
    { name: 'rs repairs 2 data + 2 parity lost', frameBytes: 47_000, percent: 10, code: 'rs', lost: [5, 6, 34, 37], ok: true },
    { name: 'rs repairs a burst of 4', frameBytes: 47_000, percent: 10, code: 'rs', lost: [10, 11, 12, 13], ok: true },
    { name: 'rs cannot repair 5 losses with 4 parity', frameBytes: 47_000, percent: 10, code: 'rs', lost: [0, 1, 2, 3, 4], ok: false },
    { name: 'rs cannot repair 3 data when 2 parity are lost too', frameBytes: 47_000, percent: 10, code: 'rs', lost: [1, 2, 3, 34, 35], ok: false },
    { name: 'rs rebuilds the short last fragment and trims it', frameBytes: 47_000, percent: 10, code: 'rs', lost: [33], ok: true },
    { name: 'xor repairs a burst of 4 (one per interleaved group)', frameBytes: 47_000, percent: 10, code: 'xor', lost: [20, 21, 22, 23], ok: true },
    { name: 'xor cannot repair two losses in one group', frameBytes: 47_000, percent: 10, code: 'xor', lost: [0, 4], ok: false },
    { name: 'xor repairs a loss whose group lost nothing else', frameBytes: 47_000, percent: 10, code: 'xor', lost: [7, 34], ok: true },
    { name: 'a one-fragment frame is repaired from its parity copy', frameBytes: 900, percent: 10, code: 'rs', lost: [0], ok: true },
    { name: 'no parity: any loss is final', frameBytes: 47_000, percent: 0, code: 'rs', lost: [3], ok: false },
    { name: 'no loss needs no parity', frameBytes: 47_000, percent: 0, code: 'rs', lost: [], ok: true },
    { name: 'multi-group rs repairs 20 losses in each of two groups', frameBytes: 400 * L, percent: 10, code: 'rs', lost: Array.from({ length: 40 }, (_, i) => i * 2 + (i % 2)), ok: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = encoded(c.frameBytes, c.percent, c.code);
      const got = recoverWith(e, c.lost);
      if (c.ok) assert.deepEqual(got, e.payload);
      else assert.equal(got, undefined);
    });
  }

  it('rs repairs every loss pattern up to M and no pattern beyond, exhaustively for N=6, M=3', () => {
    const e = encoded(6 * L - 100, 50, 'rs');
    assert.deepEqual([e.N, e.M], [6, 3]);
    const total = e.N + e.M;
    for (let mask = 0; mask < 1 << total; mask++) {
      const lost = [...Array(total).keys()].filter((i) => mask & (1 << i));
      const got = recoverWith(e, lost);
      const lostData = lost.filter((i) => i < e.N).length;
      if (lost.length <= e.M || lostData === 0) assert.deepEqual(got, e.payload, `lost ${lost}`);
      else assert.equal(got, undefined, `lost ${lost}`);
    }
  });
});
