/**
 * split: runs an incremental parser over input cut at every offset, so state carried across
 * chunk boundaries is exercised at every byte (the "spanning multiple writes" tests of ws).
 */
import type { SplitUnit, Splitter } from '../src/codecs/splitter.js';

/** runSplitter feeds `chunks` to a fresh splitter and returns every payload, end() included. */
export function runSplitter(make: () => Splitter, chunks: Buffer[]): Buffer[] {
  const s = make();
  const out: SplitUnit[] = [];
  chunks.forEach((c, i) => out.push(...s.push(c, i)));
  out.push(...s.end());
  return out.map((u) => u.payload);
}

/** everyOffset calls `check` with the payloads got from `input` cut in two at each offset. */
export function everyOffset(make: () => Splitter, input: Buffer, check: (units: Buffer[], offset: number) => void): void {
  for (let k = 0; k <= input.length; k++) check(runSplitter(make, [input.subarray(0, k), input.subarray(k)]), k);
}

/** randomChunks cuts `input` into pieces of 1..max bytes using a seeded generator. */
export function randomChunks(input: Buffer, max: number, seed = 1): Buffer[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const out: Buffer[] = [];
  for (let o = 0; o < input.length; ) {
    const n = 1 + Math.floor(rnd() * max);
    out.push(input.subarray(o, o + n));
    o += n;
  }
  return out;
}
