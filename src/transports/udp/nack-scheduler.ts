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
 *
 * Multicast (`backoff` on, the NORM scheme of RFC 5740): many receivers may miss the same
 * fragment, and one repair to the group serves them all. So a receiver waits a random back-off,
 * uniform in [0, BACKOFF_RTTS × round trip] (clamped to BACKOFF_MIN_MS..BACKOFF_MAX_MS), before
 * each NACK; meanwhile a repair that arrives, or another receiver's NACK heard on the group for
 * the same fragments (`heard`), cancels its ask. A back-off that ends with nothing left to ask is
 * counted as a suppressed NACK.
 */
import { serialDiff, type FrameAssembly } from './assembly.js';
import { MAX_NACK_INDICES, type Nack } from './control.js';

/** NACK_RETRY_MIN_MS: never ask for the same fragment more often than every 2 ms. */
export const NACK_RETRY_MIN_MS = 2;
/** MAX_NACKS_PER_SEC: a receiver sends at most 200 NACKs a second (a lossy 30 fps stream needs a few per frame); garbage frames cannot make it flood its sender. */
export const MAX_NACKS_PER_SEC = 200;
/** BACKOFF_RTTS: the multicast back-off window is two round trips … */
export const BACKOFF_RTTS = 2;
/** BACKOFF_MIN_MS: … at least 1 ms (timer resolution) … */
export const BACKOFF_MIN_MS = 1;
/** BACKOFF_MAX_MS: … and at most 20 ms, so a slow round-trip sample cannot push repairs past the deadline. */
export const BACKOFF_MAX_MS = 20;
/** BACKOFF_INITIAL_RTT_MS: until a round trip is measured, assume 2 ms. */
export const BACKOFF_INITIAL_RTT_MS = 2;
/** NACK_CHECK_MS: looking for gaps costs up to O(fragments); once a millisecond per frame is often enough. */
export const NACK_CHECK_MS = 1;

/** NackScheduler keeps the round-trip estimate and the NACK counters; see the file comment. */
export class NackScheduler {
  /** nacks: NACK datagrams asked for; nackedFragments: the indices they listed. */
  nacks = 0;
  /** nackedFragments: see nacks. */
  nackedFragments = 0;
  /** suppressed: back-offs that ended (or frames completed during one) with nothing left to ask. */
  suppressed = 0;
  /** heardNacks: other receivers' NACKs heard for frames in flight. */
  heardNacks = 0;
  private srtt: number | undefined;
  /** tokens: NACKs that may be sent now (refilled at MAX_NACKS_PER_SEC, at most one second's worth). */
  private tokens = MAX_NACKS_PER_SEC;
  private refilledAt: number | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly maxRetryMs: number,
    /** backoff: wait a random multicast back-off before each NACK (see the file comment). */
    private readonly backoff = false,
    private readonly random: () => number = Math.random,
  ) {}

  /** heard notes another receiver's NACK for frame `a` (multicast): those fragments are not asked for again before a retry interval. */
  heard(a: FrameAssembly, indices: readonly number[], now: number): void {
    this.heardNacks++;
    for (const i of indices) a.noteHeard(i, now);
  }

  /** settled notes that frame `a` completed or was given up: a back-off still running was suppressed. */
  settled(a: FrameAssembly): void {
    if (a.nackHoldUntil !== undefined) this.suppressed++;
    a.nackHoldUntil = undefined;
  }

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
      if (indices.length === 0) {
        // A back-off that ends with nothing to ask: a repair or another receiver's NACK served it.
        if (a.nackHoldUntil !== undefined) this.suppressed++;
        a.nackHoldUntil = undefined;
        continue;
      }
      if (this.backoff) {
        if (a.nackHoldUntil === undefined) {
          const window = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, BACKOFF_RTTS * (this.srtt ?? BACKOFF_INITIAL_RTT_MS)));
          a.nackHoldUntil = now + this.random() * window;
        }
        if (now < a.nackHoldUntil) continue;
        a.nackHoldUntil = undefined;
      }
      for (const i of indices) a.noteNacked(i, now);
      this.tokens--;
      this.nacks++;
      this.nackedFragments += indices.length;
      out.push({ streamId: a.header.streamId, frameNo: a.header.frameNo, indices });
    }
    return out;
  }
}
