/**
 * nack-scheduler: decides which lost fragments a receiver asks for again, and when (pure; the
 * reassembler owns one).
 *
 * A frame is asked about once the sender is done with it — its last fragment came, a newer
 * frame started, or it went quiet for `idleMs` — and only for the data fragments of groups that
 * parity cannot repair. A fragment is asked for again after twice the measured round trip plus
 * 2 ms, never later than `maxRetryMs` and never sooner than NACK_RETRY_MIN_MS. Round-trip
 * samples come only from fragments asked for exactly once (Karn's rule: an answer to a repeated
 * request cannot tell which request it answers). On a LAN that leaves several rounds before the
 * next frame completes and, newest frame winning, makes this one worthless.
 */
import { serialDiff, type FrameAssembly } from './assembly.js';
import { MAX_NACK_INDICES, type Nack } from './control.js';

/** NACK_RETRY_MIN_MS: never ask for the same fragment more often than every 2 ms. */
export const NACK_RETRY_MIN_MS = 2;
/** MAX_NACKS_PER_SEC: a receiver sends at most 200 NACKs a second (a lossy 30 fps stream needs a few per frame); garbage frames cannot make it flood its sender. */
export const MAX_NACKS_PER_SEC = 200;
/** NACK_CHECK_MS: looking for gaps costs up to O(fragments); once a millisecond per frame is often enough. */
export const NACK_CHECK_MS = 1;

/** NackScheduler keeps the round-trip estimate and the NACK counters; see the file comment. */
export class NackScheduler {
  /** nacks: NACK datagrams asked for; nackedFragments: the indices they listed. */
  nacks = 0;
  /** nackedFragments: see nacks. */
  nackedFragments = 0;
  private srtt: number | undefined;
  /** tokens: NACKs that may be sent now (refilled at MAX_NACKS_PER_SEC, at most one second's worth). */
  private tokens = MAX_NACKS_PER_SEC;
  private refilledAt: number | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly maxRetryMs: number,
  ) {}

  /** rttMs is the smoothed NACK → retransmission round trip, if measured. */
  get rttMs(): number | undefined {
    return this.srtt;
  }

  /** answered notes that a retransmission of fragment `index` of `a` arrived at `now`. */
  answered(a: FrameAssembly, index: number, now: number): void {
    if (index >= a.header.dataCount || a.nackCount(index) !== 1) return;
    const sample = now - a.nackedAt(index);
    this.srtt = this.srtt === undefined ? sample : 0.875 * this.srtt + 0.125 * sample;
  }

  /** due returns the NACKs to send now for the frames in flight. */
  due(frames: Iterable<FrameAssembly>, now: number): Nack[] {
    const all = [...frames];
    const retryMs = this.srtt === undefined ? this.maxRetryMs : Math.min(this.maxRetryMs, Math.max(NACK_RETRY_MIN_MS, 2 * this.srtt + 2));
    let newest: FrameAssembly | undefined;
    for (const a of all) if (!newest || serialDiff(a.header.frameNo, newest.header.frameNo) > 0) newest = a;
    const out: Nack[] = [];
    this.tokens = Math.min(MAX_NACKS_PER_SEC, this.tokens + (this.refilledAt === undefined ? 0 : ((now - this.refilledAt) * MAX_NACKS_PER_SEC) / 1000));
    this.refilledAt = now;
    for (const a of all) {
      if (this.tokens < 1) break;
      const senderDone = a.sentAll || a !== newest || now - a.lastAt >= this.idleMs;
      if (!senderDone || a.complete || now - a.nackCheckedAt < NACK_CHECK_MS) continue;
      a.nackCheckedAt = now;
      const indices = a.wanted(MAX_NACK_INDICES, (i) => now - a.nackedAt(i) >= retryMs);
      if (indices.length === 0) continue;
      for (const i of indices) a.noteNacked(i, now);
      this.tokens--;
      this.nacks++;
      this.nackedFragments += indices.length;
      out.push({ streamId: a.header.streamId, frameNo: a.header.frameNo, indices });
    }
    return out;
  }
}
