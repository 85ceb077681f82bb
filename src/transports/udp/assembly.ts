/**
 * assembly: one frame being put back together from its fragments (pure; reassembler.ts keeps
 * several of these in flight).
 *
 * The first fragment fixes what the frame is (every header field but index and flags); a later
 * fragment that disagrees is refused, so fragments of two different frames can never be mixed.
 * Per parity group it counts missing data and received parity, so "can the frame be completed
 * now?" costs O(1) per datagram, whatever the loss pattern.
 */
import { crc32 } from '../../util/crc32.js';
import { FecLayout, recoverData } from './fec.js';
import { frameChecksum, paddedBytes, type Fragment, type FragmentHeader } from './wire.js';

/** serialDiff is a − b for u32 frame numbers that wrap (positive: a is newer). */
export function serialDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** AddResult says what became of a fragment offered to an assembly. */
export type AddResult = 'added' | 'duplicate' | 'conflict';

/** FrameAssembly collects one frame's fragments; see the file comment. */
export class FrameAssembly {
  readonly header: FragmentHeader;
  readonly layout: FecLayout;
  readonly fragments: (Buffer | undefined)[];
  /** bytes: payload bytes held. */
  bytes = 0;
  /** retransmits: fragments that arrived as answers to NACKs. */
  retransmits = 0;
  /** lastAt: when the newest fragment arrived (ms). */
  lastAt: number;
  /** highestIndex: the highest fragment index seen (the sender sends in index order). */
  highestIndex = -1;
  /** nackedAt[i]: when data fragment i was last asked for again (-Infinity = never). */
  readonly nackedAt: Float64Array;
  /** nackCount[i]: how often data fragment i was asked for (for round-trip samples, Karn's rule). */
  readonly nackCount: Uint8Array;
  /** nackCheckedAt: when the reassembler last looked for fragments to ask for (ms). */
  nackCheckedAt = -Infinity;
  private readonly dataMissing: Int32Array;
  private readonly parityHave: Int32Array;
  private deficient: number;

  constructor(
    first: FragmentHeader,
    readonly firstAt: number,
  ) {
    this.header = first;
    this.lastAt = firstAt;
    this.layout = new FecLayout(first.dataCount, first.parityCount, Math.max(1, first.groups));
    this.fragments = new Array(first.dataCount + first.parityCount).fill(undefined);
    this.nackedAt = new Float64Array(first.dataCount).fill(-Infinity);
    this.nackCount = new Uint8Array(first.dataCount);
    const G = this.layout.groups;
    this.dataMissing = new Int32Array(G);
    this.parityHave = new Int32Array(G);
    for (let g = 0; g < G; g++) this.dataMissing[g] = this.layout.dataIn(g);
    this.deficient = G;
  }

  /** complete tells whether every data fragment is here or can be rebuilt from parity. */
  get complete(): boolean {
    return this.deficient === 0;
  }

  /** add stores a fragment of this frame (same frame number) unless it is a copy or contradicts the frame. */
  add(f: Fragment, now: number): AddResult {
    const h = f.header;
    if (!sameFrame(this.header, h)) return 'conflict';
    if (this.fragments[h.index]) return 'duplicate';
    this.fragments[h.index] = f.payload;
    this.bytes += f.payload.length;
    this.lastAt = now;
    if (h.index > this.highestIndex) this.highestIndex = h.index;
    if (h.retransmit) this.retransmits++;
    const g = this.layout.groupOf(h.index);
    const wasDeficient = this.dataMissing[g] > this.parityHave[g];
    if (h.index < h.dataCount) this.dataMissing[g]--;
    else this.parityHave[g]++;
    if (wasDeficient && this.dataMissing[g] <= this.parityHave[g]) this.deficient--;
    return 'added';
  }

  /** sentAll tells whether the sender's last datagram of the frame arrived. */
  get sentAll(): boolean {
    return this.highestIndex === this.fragments.length - 1;
  }

  /**
   * wanted lists the data fragments to ask for again: every missing one in a group that parity
   * alone cannot repair (asking for all of them, not the bare minimum, saves a round trip when
   * a retransmission is lost too).
   */
  wanted(): number[] {
    const out: number[] = [];
    const { dataCount } = this.header;
    for (let i = 0; i < dataCount; i++) {
      const g = this.layout.groupOf(i);
      if (!this.fragments[i] && this.dataMissing[g] > this.parityHave[g]) out.push(i);
    }
    return out;
  }

  /**
   * assemble returns the picture (rebuilding lost data from parity) and how many fragments FEC
   * rebuilt, or undefined when the picture and metadata do not match the frame CRC-32.
   */
  assemble(): { payload: Buffer; recovered: number } | undefined {
    if (!this.complete) throw new Error('assemble() on an incomplete frame');
    const h = this.header;
    const frags: (Uint8Array | undefined)[] = this.fragments;
    const recovered = this.dataMissing.some((n) => n > 0) ? recoverData(frags, this.layout, paddedBytes(h)) : 0;
    if (recovered < 0) throw new Error('assemble(): parity could not repair a complete frame (cannot happen)');
    const data = frags.slice(0, h.dataCount) as Buffer[];
    // The last data fragment may have come back padded; the total length trims it.
    const payload = data.length === 1 && data[0].length === h.frameBytes ? data[0] : Buffer.concat(data, h.frameBytes);
    return frameChecksum(h, crc32(payload)) === h.frameCrc ? { payload, recovered } : undefined;
  }
}

/** sameFrame tells whether two headers describe the same frame (all but index and flags equal). */
function sameFrame(a: FragmentHeader, b: FragmentHeader): boolean {
  return (
    a.streamId === b.streamId &&
    a.frameNo === b.frameNo &&
    a.seq === b.seq &&
    a.captureUs === b.captureUs &&
    a.codec === b.codec &&
    a.keyframe === b.keyframe &&
    a.width === b.width &&
    a.height === b.height &&
    a.dataCount === b.dataCount &&
    a.parityCount === b.parityCount &&
    a.groups === b.groups &&
    a.fragmentBytes === b.fragmentBytes &&
    a.frameBytes === b.frameBytes &&
    a.frameCrc === b.frameCrc
  );
}
