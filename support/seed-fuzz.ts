/**
 * seed-fuzz: seeded mutation fuzzing of the seed parsers, shared by the CI test (a short run)
 * and `npm run bench -- seeds-fuzz` (≥ 1 M inputs per parser, recorded in docs/benchmarks.md).
 *
 * Every input is a valid stream mutated (bytes flipped, inserted, deleted, truncated, spliced,
 * length prefix overwritten) and fed in random chunks. The oracle: each outcome is either a
 * picture that satisfies its invariants or a CamwireError with an expected code — never another
 * exception, never a corrupt picture. For countdown, every delivered JPEG must be byte-identical
 * to one that was sent.
 */
import { SeedDecoder, type TcpWire } from '../src/transports/seed/formats.js';
import { CountdownReassembler, countdownSlices, COUNTDOWN_ACK, COUNTDOWN_HELLO } from '../src/transports/seed/countdown.js';
import { isJpeg } from '../src/codecs/jpeg.js';
import { isCamwireError } from '../src/util/errors.js';
import { Prng } from './prng.js';

/** FuzzResult counts what a run saw; `failures` holds the first few oracle violations. */
export interface FuzzResult {
  inputs: number;
  pictures: number;
  refused: Record<string, number>;
  failures: string[];
}

const EXPECTED = new Set(['CAMWIRE_ERR_BAD_PICKLE', 'CAMWIRE_ERR_BAD_FRAME', 'CAMWIRE_ERR_FRAME_TOO_LARGE', 'CAMWIRE_ERR_TRUNCATED']);
const INTERESTING = [0x00, 0x0a, 0x5c, 0x7f, 0x80, 0xff, 0x28, 0x2e, 0x52, 0x62, 0x63, 0x94, 0x95];

/** mutate returns a seeded mutation of `x` (or a splice with `other`). */
export function mutate(r: Prng, x: Buffer, other: Buffer): Buffer {
  const b = Buffer.from(x);
  switch (r.int(8)) {
    case 0:
      for (let n = 1 + r.int(4); n > 0; n--) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    case 1:
      return b.subarray(0, r.int(b.length));
    case 2: {
      const at = r.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), r.bytes(1 + r.int(16)), b.subarray(at)]);
    }
    case 3: {
      const at = r.int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(64)))]);
    }
    case 4: {
      const at = r.int(b.length);
      return Buffer.concat([b.subarray(0, at), other.subarray(r.int(other.length))]);
    }
    case 5:
      for (let n = 1 + r.int(3); n > 0; n--) b[r.int(b.length)] = INTERESTING[r.int(INTERESTING.length)];
      return b;
    case 6:
      // The length prefix, or the first bytes of the pickle after it.
      for (let n = 1 + r.int(3); n > 0; n--) b[r.int(Math.min(b.length, 24))] = r.int(256);
      return b;
    default:
      return r.bytes(1 + r.int(64));
  }
}

/** fuzzTcp runs `n` mutated streams of `wire` (seeds: valid streams of that wire) through a SeedDecoder. */
export function fuzzTcp(wire: TcpWire, seeds: Buffer[], n: number, seed: number): FuzzResult {
  const r = new Prng(seed);
  const res: FuzzResult = { inputs: 0, pictures: 0, refused: {}, failures: [] };
  const fail = (what: string) => res.failures.length < 5 && res.failures.push(what);
  for (let i = 0; i < n; i++) {
    const input = mutate(r, seeds[r.int(seeds.length)], seeds[r.int(seeds.length)]);
    res.inputs++;
    const d = new SeedDecoder(wire, 1 << 20);
    try {
      for (let o = 0; o < input.length; ) {
        const len = 1 + r.int(r.chance(0.5) ? 64 : input.length);
        for (const p of d.push(input.subarray(o, o + len))) {
          if (p instanceof Error) {
            if (!isCamwireError(p, 'CAMWIRE_ERR_BAD_FRAME')) fail(`#${i}: unexpected item ${String(p)}`);
            res.refused[(p as { code?: string }).code ?? '?'] = (res.refused[(p as { code?: string }).code ?? '?'] ?? 0) + 1;
            continue;
          }
          res.pictures++;
          if (p.kind === 'jpeg' && !isJpeg(p.jpeg)) fail(`#${i}: delivered a non-JPEG`);
          if (p.kind === 'bgr' && p.pixels.length !== p.width * p.height * 3) fail(`#${i}: ${p.width}x${p.height} with ${p.pixels.length} bytes`);
        }
        o += len;
      }
      d.end();
    } catch (e) {
      if (!isCamwireError(e) || !EXPECTED.has(e.code)) fail(`#${i}: ${e instanceof Error ? e.stack : String(e)}`);
      else res.refused[e.code] = (res.refused[e.code] ?? 0) + 1;
    }
  }
  return res;
}

/**
 * fuzzCountdown sends `n` seeded datagram sequences (1–4 frames from `jpegs`, sliced small, with
 * datagrams lost, repeated, swapped, corrupted, or Hello/ack/garbage inserted) into a reassembler.
 */
export function fuzzCountdown(jpegs: Buffer[], n: number, seed: number): FuzzResult {
  const r = new Prng(seed);
  const res: FuzzResult = { inputs: 0, pictures: 0, refused: {}, failures: [] };
  const sent = new Set(jpegs.map((j) => j.toString('base64')));
  for (let i = 0; i < n; i++) {
    const slice = 64 + r.int(512);
    let ds: Buffer[] = [];
    for (let f = 1 + r.int(4); f > 0; f--) ds.push(...countdownSlices(jpegs[r.int(jpegs.length)], slice));
    ds = damage(r, ds);
    res.inputs++;
    const ra = new CountdownReassembler(1 << 20);
    for (const d of ds) {
      const p = ra.push(d);
      if (!p) continue;
      res.pictures++;
      if (!sent.has(p.jpeg.toString('base64')) && res.failures.length < 5) res.failures.push(`#${i}: delivered a ${p.jpeg.length}-byte JPEG that was never sent`);
    }
    res.refused.dropped = (res.refused.dropped ?? 0) + ra.stats.dropped;
  }
  return res;
}

function damage(r: Prng, ds: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  const p = r.next() * 0.3;
  for (const d of ds) {
    if (r.chance(p)) {
      switch (r.int(6)) {
        case 0:
          continue; // lost
        case 1:
          out.push(d, d); // repeated
          continue;
        case 2:
          out.splice(Math.max(0, out.length - 1), 0, d); // swapped with the previous one
          continue;
        case 3: {
          const c = Buffer.from(d);
          c[0] = r.int(256); // k corrupted
          out.push(c);
          continue;
        }
        case 4:
          out.push(r.chance(0.5) ? COUNTDOWN_HELLO : COUNTDOWN_ACK, d);
          continue;
        default:
          out.push(r.bytes(1 + r.int(32)), d);
          continue;
      }
    }
    out.push(d);
  }
  return out;
}
