/**
 * assembly: one frame being put back together from its fragments (pure; reassembler.ts keeps
 * several of these in flight).
 *
 * The first fragment fixes what the frame is (every header field but index and flags); a later
 * fragment that disagrees is refused, so fragments of two different frames can never be mixed.
 * Per parity group it counts missing data and received parity, so "can the frame be completed
 * now?" costs O(1) per datagram, whatever the loss pattern.
 *
 * Nothing is sized from the header: a header may declare 65 535 fragments in 65 535 groups, and
 * one forged datagram must not make the receiver allocate for all of them. Fragments, per-group
 * counts and NACK bookkeeping live in maps that grow with what actually arrived, and `cost`
 * (payload plus a fixed charge per entry) is what the reassembler counts against its byte budget.
 */
import { crc32 } from '../../util/crc32.js';
import { FecLayout, recoverData } from './fec.js';
import { frameChecksum, paddedBytes, type Fragment, type FragmentHeader } from './wire.js';

/** serialDiff is a − b for u32 frame numbers that wrap (positive: a is newer). */
export function serialDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** FRAME_OVERHEAD_BYTES: what an assembly costs before any fragment (object, header, maps), charged to the budget. */
export const FRAME_OVERHEAD_BYTES = 1024;
/** ENTRY_OVERHEAD_BYTES: what one map entry (a fragment, a group's counts, a NACK record) costs beyond its payload. */
export const ENTRY_OVERHEAD_BYTES = 96;

/** MAX_NACK_SCAN: wanted() looks at 4096 indices per call (a 5.7 MB frame at 1404-byte fragments). */
export const MAX_NACK_SCAN = 4096;

/** AddResult says what became of a fragment offered to an assembly. */
export type AddResult = 'added' | 'duplicate' | 'conflict';

/** GroupCount: data fragments received and parity fragments received in one parity group. */
interface GroupCount {
  data: number;
  parity: number;
}

/** NackRecord: when a data fragment was last asked for again, and how often (Karn's rule needs the count). */
interface NackRecord {
  at: number;
  count: number;
}

/** FrameAssembly collects one frame's fragments; see the file comment. */
export class FrameAssembly {
  readonly header: FragmentHeader;
  readonly layout: FecLayout;
  /** bytes: payload bytes held. */
  bytes = 0;
  /** retransmits: fragments that arrived as answers to NACKs. */
  retransmits = 0;
  /** lastAt: when the newest fragment arrived (ms). */
  lastAt: number;
  /** highestIndex: the highest fragment index seen (the sender sends in index order). */
  highestIndex = -1;
  /** nackCheckedAt: when the reassembler last looked for fragments to ask for (ms). */
  nackCheckedAt = -Infinity;
  /** nackHoldUntil: multicast back-off — no NACK for this frame before then (ms); undefined = none drawn. */
  nackHoldUntil: number | undefined;
  /** charged: what the reassembler has counted for this assembly against its budgets (bytes). */
  charged = 0;
  private readonly fragments = new Map<number, Buffer>();
  private readonly groups = new Map<number, GroupCount>();
  private readonly nacked = new Map<number, NackRecord>();
  /** scanAt: where the next wanted() call starts looking. */
  private scanAt = 0;
  /** deficient: groups whose missing data exceeds their parity (all of them before anything arrives). */
  private deficient: number;

  constructor(
    first: FragmentHeader,
    readonly firstAt: number,
  ) {
    this.header = first;
    this.lastAt = firstAt;
    this.layout = new FecLayout(first.dataCount, first.parityCount, Math.max(1, first.groups));
    this.deficient = this.layout.groups;
  }

  /** cost is what this assembly holds in bytes, bookkeeping included (see the file comment). */
  get cost(): number {
    return FRAME_OVERHEAD_BYTES + this.bytes + ENTRY_OVERHEAD_BYTES * (this.fragments.size + this.groups.size + this.nacked.size);
  }

  /** complete tells whether every data fragment is here or can be rebuilt from parity. */
  get complete(): boolean {
    return this.deficient === 0;
  }

  /** total is the number of fragments the frame has, data and parity. */
  get total(): number {
    return this.header.dataCount + this.header.parityCount;
  }

  /** add stores a fragment of this frame (same frame number) unless it is a copy or contradicts the frame. */
  add(f: Fragment, now: number): AddResult {
    const h = f.header;
    if (!sameFrame(this.header, h)) return 'conflict';
    if (this.fragments.has(h.index)) return 'duplicate';
    this.fragments.set(h.index, f.payload);
    this.bytes += f.payload.length;
    this.lastAt = now;
    if (h.index > this.highestIndex) this.highestIndex = h.index;
    if (h.retransmit) this.retransmits++;
    const g = this.layout.groupOf(h.index);
    let c = this.groups.get(g);
    if (!c) this.groups.set(g, (c = { data: 0, parity: 0 }));
    const wasDeficient = this.missingIn(g, c) > c.parity;
    if (h.index < h.dataCount) c.data++;
    else c.parity++;
    if (wasDeficient && this.missingIn(g, c) <= c.parity) this.deficient--;
    return 'added';
  }

  /** sentAll tells whether the sender's last datagram of the frame arrived. */
  get sentAll(): boolean {
    return this.highestIndex === this.total - 1;
  }

  /**
   * wanted lists up to `limit` data fragments to ask for again that `due` accepts: every missing
   * one in a group that parity alone cannot repair (asking for all of them, not the bare minimum,
   * saves a round trip when a retransmission is lost too). One call looks at no more than
   * MAX_NACK_SCAN indices, nor more than 8 per fragment held (plus 64), continuing where the last
   * call stopped, so a header declaring 65 535 fragments costs no more per call than what came.
   */
  wanted(limit: number, due: (index: number) => boolean = () => true): number[] {
    const out: number[] = [];
    const { dataCount } = this.header;
    // Work follows what arrived: a frame of one fragment declaring 65 535 is scanned a little.
    const steps = Math.min(dataCount, MAX_NACK_SCAN, 8 * this.fragments.size + 64);
    for (let n = 0; n < steps && out.length < limit; n++) {
      const i = this.scanAt;
      this.scanAt = (i + 1) % dataCount;
      if (this.fragments.has(i)) continue;
      const g = this.layout.groupOf(i);
      const c = this.groups.get(g);
      if ((!c || this.missingIn(g, c) > c.parity) && due(i)) out.push(i);
    }
    return out.sort((a, b) => a - b);
  }

  /** nackedAt is when data fragment i was last asked for again (-Infinity = never). */
  nackedAt(i: number): number {
    return this.nacked.get(i)?.at ?? -Infinity;
  }

  /** nackCount is how often data fragment i was asked for. */
  nackCount(i: number): number {
    return this.nacked.get(i)?.count ?? 0;
  }

  /**
   * noteHeard records that another receiver asked for data fragment i at `now` (a multicast NACK
   * heard on the group): this receiver's own ask waits as if it had asked then. The count stays,
   * so round-trip samples (Karn's rule) still come only from this receiver's own asks.
   */
  noteHeard(i: number, now: number): boolean {
    if (i >= this.header.dataCount || this.fragments.has(i)) return false;
    const r = this.nacked.get(i);
    if (r) r.at = Math.max(r.at, now);
    else this.nacked.set(i, { at: now, count: 0 });
    return true;
  }

  /** noteNacked records that data fragment i is being asked for again now. */
  noteNacked(i: number, now: number): void {
    const r = this.nacked.get(i);
    if (r) {
      r.at = now;
      r.count = Math.min(255, r.count + 1);
    } else this.nacked.set(i, { at: now, count: 1 });
  }

  /**
   * repairWork estimates the GF(2^8) multiply-adds (in bytes) that rebuilding the lost data
   * would take: per group with losses, (lost + surviving data) × lost × padded bytes. It is the
   * cheap check done before any repair (reassembler.ts charges it to the sender's CPU share).
   */
  repairWork(): number {
    const { dataCount } = this.header;
    let work = 0;
    for (let g = 0; g < this.layout.groups && g < dataCount; g++) {
      const c = this.groups.get(g);
      const k = this.layout.dataIn(g);
      const lost = k - (c?.data ?? 0);
      if (lost > 0) work += (k + lost) * lost;
    }
    return work * paddedBytes(this.header);
  }

  /**
   * assemble returns the picture (rebuilding lost data from parity) and how many fragments FEC
   * rebuilt, or undefined when the picture and metadata do not match the frame CRC-32.
   */
  assemble(): { payload: Buffer; recovered: number } | undefined {
    if (!this.complete) throw new Error('assemble() on an incomplete frame');
    const h = this.header;
    const frags: (Uint8Array | undefined)[] = new Array(this.total);
    for (const [i, b] of this.fragments) frags[i] = b;
    let missing = false;
    for (let i = 0; i < h.dataCount && !missing; i++) missing = frags[i] === undefined;
    const recovered = missing ? recoverData(frags, this.layout, paddedBytes(h)) : 0;
    if (recovered < 0) throw new Error('assemble(): parity could not repair a complete frame (cannot happen)');
    const data = frags.slice(0, h.dataCount) as Buffer[];
    // The last data fragment may have come back padded; the total length trims it.
    const payload = data.length === 1 && data[0].length === h.frameBytes ? data[0] : Buffer.concat(data, h.frameBytes);
    return frameChecksum(h, crc32(payload)) === h.frameCrc ? { payload, recovered } : undefined;
  }

  private missingIn(g: number, c: GroupCount): number {
    return this.layout.dataIn(g) - c.data;
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
