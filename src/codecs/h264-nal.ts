/**
 * h264-nal: H.264 NAL units in Annex B byte streams — types, start codes, emulation prevention
 * and an exp-Golomb bit reader (ITU-T H.264 §7.3, §7.4.1, §9.1). Pure, no I/O and no Node APIs:
 * the browser viewer bundles it (through h264-sps.ts). Writing Annex B is in h264-join.ts.
 *
 * ```
 * Annex B:  00 00 00 01 | NAL | 00 00 01 | NAL | …      start codes of 3 or 4 bytes
 * NAL:      +---+-------+----------+
 *           | F |  NRI  |   type   |  then the payload (RBSP with 00 00 03 escapes)
 *           +---+-------+----------+
 *             1     2        5 bits
 * ```
 */

/** NalType names the NAL unit types camwire looks at. */
export const NalType = {
  SLICE: 1,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_OF_SEQUENCE: 10,
  END_OF_STREAM: 11,
  FILLER: 12,
} as const;

/** nalType returns the 5-bit type of a NAL unit (its first byte). */
export function nalType(nal: Uint8Array): number {
  return nal[0] & 0x1f;
}

/** isVcl tells whether a NAL type carries picture data (a coded slice). */
export function isVcl(type: number): boolean {
  return type >= 1 && type <= 5;
}

/** splitAnnexB returns the NAL units of a complete Annex B buffer (start codes removed). */
export function splitAnnexB(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let zeros = 0;
  let start = -1;
  for (let i = 0; i < b.length; i++) {
    const v = b[i];
    if (v === 0) {
      zeros++;
      continue;
    }
    if (v === 1 && zeros >= 2) {
      if (start >= 0) out.push(b.subarray(start, i - zeros));
      start = i + 1;
    }
    zeros = 0;
  }
  if (start >= 0 && start < b.length) out.push(b.subarray(start, b.length - zeros));
  return out.filter((n) => n.length > 0);
}

/** unescapeRbsp removes emulation-prevention bytes (00 00 03 → 00 00) from `b`. */
export function unescapeRbsp(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  let o = 0;
  let zeros = 0;
  for (let i = 0; i < b.length; i++) {
    const v = b[i];
    if (zeros >= 2 && v === 3) {
      zeros = 0;
      continue;
    }
    zeros = v === 0 ? zeros + 1 : 0;
    out[o++] = v;
  }
  return out.subarray(0, o);
}

/** BitReader reads bits and exp-Golomb codes MSB first; reading past the end throws RangeError. */
export class BitReader {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}

  /** bit reads one bit. */
  bit(): number {
    const byte = this.pos >> 3;
    if (byte >= this.b.length) throw new RangeError('read past the end of the bit string');
    const v = (this.b[byte] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return v;
  }

  /** bits reads an n-bit unsigned number (n ≤ 32). */
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }

  /** ue reads an unsigned exp-Golomb code, ue(v); more than 31 leading zeros is malformed. */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > 31) throw new RangeError('exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  /** se reads a signed exp-Golomb code, se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

/** firstMbInSlice reads first_mb_in_slice of a slice NAL (0 starts a new picture), or -1. */
export function firstMbInSlice(nal: Uint8Array): number {
  try {
    // The value sits in the first few bytes; unescape only those.
    return new BitReader(unescapeRbsp(nal.subarray(1, 9))).ue();
  } catch {
    return -1;
  }
}
