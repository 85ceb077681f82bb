/**
 * reassembler: turns one stream's fragments back into frames — an I/O-free processor in the
 * style of werift's JitterBuffer: `processInput(fragment | tick)` returns frames to deliver and
 * NACKs to send; `toJSON()` returns the counters.
 *
 * Rules:
 * - At most `maxInFlight` frames and `maxBufferedBytes` (fragments plus bookkeeping, assembly.ts)
 *   are held, and no more than a shared `budget` allows (all senders of a hub together); beyond
 *   that the oldest frame is given up. Memory follows what arrived, never what a header declares.
 * - Parity beyond `maxFecPercent` of the data count is refused (`parityRefused`): a sender cannot
 *   make a receiver solve ever larger systems of equations.
 * - Repair is decided by a cheap check first: its work (assembly.ts repairWork) is charged to a
 *   per-sender allowance of REPAIR_WORK_PER_SEC; a repair over the allowance is not attempted and
 *   the frame is given up (`repairRefused`).
 * - A frame not complete `deadlineMs` after its first fragment is given up.
 * - Frames are delivered in order and only whole: when a frame completes, older frames still in
 *   flight are given up (newest frame wins), and their stragglers are counted late and ignored.
 * - Only a delivered frame moves the "done" mark; a given-up frame is remembered by number, so a
 *   frame number damaged or forged far ahead cannot make the real frames look late.
 * - A completed frame whose CRC-32 does not match is counted (`badChecksum`), never delivered.
 * - A given-up frame is only counted, never delivered; for H.264 the following frames are
 *   skipped up to the next keyframe, since they would decode against a missing reference.
 * - With `nack` on, fragments parity cannot rebuild are asked for again (nack-scheduler.ts);
 *   with `multicast` too, after a random back-off, and not while another receiver's NACK for
 *   them (`heard`) is being answered.
 * - The first-send loss rate is measured (loss-meter.ts) for LOSS reports and stats.
 */
import { DEFAULTS } from '../../config/defaults.js';
import type { Frame } from '../../frame/frame.js';
import { ENTRY_OVERHEAD_BYTES, FRAME_OVERHEAD_BYTES, FrameAssembly, serialDiff } from './assembly.js';
import type { Nack } from './control.js';
import { parityCountFor } from './fec.js';
import { LossMeter } from './loss-meter.js';
import { NackScheduler } from './nack-scheduler.js';
import type { Fragment } from './wire.js';

/** ByteBudget is memory shared by several reassemblers (one UDP hub's publishers). */
export interface ByteBudget {
  /** free is how many bytes may still be taken. */
  readonly free: number;
  /** take counts n bytes as held (n may be negative: given back). */
  take(n: number): void;
}

/** ReassemblerOptions: limits and loss-recovery timers (defaults in REASSEMBLER_DEFAULTS). */
export interface ReassemblerOptions {
  maxInFlight: number;
  maxBufferedBytes: number;
  deadlineMs: number;
  nack: boolean;
  nackIdleMs: number;
  nackRetryMs: number;
  /** maxFecPercent: the most parity accepted, in percent of the data count. */
  maxFecPercent: number;
  /** budget: memory shared with other reassemblers, if any. */
  budget?: ByteBudget;
  /** multicast: NACKs wait a random back-off and yield to NACKs heard from other receivers. */
  multicast?: boolean;
}

/**
 * REASSEMBLER_DEFAULTS: 4 frames in flight (newest wins: older ones are useless), 32 MiB (two
 * maximum-size frames with parity), the udpDeadlineMs deadline (several NACK rounds on any LAN, while a
 * given-up frame is replaced by the next one anyway), NACK after 5 ms of quiet (a paced sender
 * sends a datagram at least every 2 ms) and again after at most 15 ms (until a round trip has
 * been measured, or when it is long).
 */
export const REASSEMBLER_DEFAULTS: ReassemblerOptions = {
  maxInFlight: 4,
  maxBufferedBytes: 32 * 1024 * 1024,
  deadlineMs: DEFAULTS.udpDeadlineMs,
  nack: true,
  nackIdleMs: 5,
  nackRetryMs: 15,
  maxFecPercent: DEFAULTS.udpMaxFecPercent,
};

/**
 * REPAIR_WORK_PER_SEC: 16 MiB of GF(2^8) multiply-adds per second per sender, saved up for at
 * most REPAIR_BURST_SEC: a 720p30 stream repairing its full 10 % parity on every frame needs 7 MiB/s,
 * while one frame declaring 128 data + 64 parity and sending no data would need 17 MiB.
 */
export const REPAIR_WORK_PER_SEC = 16 * 1024 * 1024;
/** REPAIR_BURST_SEC: the allowance holds at most a quarter second of repair work. */
export const REPAIR_BURST_SEC = 0.25;

/** GIVEN_UP_MEMORY: how many given-up frame numbers are remembered to recognise their stragglers. */
export const GIVEN_UP_MEMORY = 64;

/** REWIND_FRAMES: a frame number this far behind the newest is a restarted sender, not a straggler. */
export const REWIND_FRAMES = 1024;

/** ReassemblerInput: a fragment of this stream, or just the time passing (`tick`). */
export type ReassemblerInput = { fragment: Fragment; now: number } | { tick: true; now: number };

/** ReassemblerOutput: a whole frame to deliver, or a NACK to send to the sender. */
export type ReassemblerOutput = { type: 'frame'; frameNo: number; frame: Omit<Frame, 'stream'> } | { type: 'nack'; nack: Nack };

/** ReassemblerStats: the counters toJSON() returns. */
export interface ReassemblerStats {
  fragments: number;
  bytes: number;
  frames: number;
  duplicates: number;
  late: number;
  conflicts: number;
  retransmitted: number;
  fecRepairedFragments: number;
  fecRepairedFrames: number;
  lostDeadline: number;
  lostEvicted: number;
  lostSuperseded: number;
  lostUnseen: number;
  lostBudget: number;
  badChecksum: number;
  parityRefused: number;
  repairRefused: number;
  skippedForKeyframe: number;
  restarts: number;
  nacks: number;
  nackedFragments: number;
  /** nacksSuppressed: multicast NACKs not sent because a repair or another receiver's NACK came first. */
  nacksSuppressed: number;
  /** heardNacks: other receivers' NACKs heard on the group for frames in flight. */
  heardNacks: number;
  /** lossRate: smoothed share of first-sent fragments lost (0..1), null before it is known. */
  lossRate: number | null;
  /** rttMs: smoothed NACK → retransmission round trip, null before the first sample. */
  rttMs: number | null;
  inFlight: number;
  bufferedBytes: number;
}

/** LossReason: the counter a given-up frame is counted under. */
type LossReason = 'lostDeadline' | 'lostEvicted' | 'lostBudget' | 'repairRefused';

/** Reassembler is the per-stream processor; see the file comment. */
export class Reassembler {
  private readonly opts: ReassemblerOptions;
  private readonly frames = new Map<number, FrameAssembly>();
  /** lastDone: the newest frame number delivered; fragments at or behind it are late. */
  private lastDone: number | undefined;
  /** givenUp: recent frame numbers given up and not yet passed by a delivered frame. */
  private givenUp: number[] = [];
  private needKeyframe = true;
  private buffered = 0;
  private readonly nackPlan: NackScheduler;
  private readonly loss = new LossMeter();
  private readonly s: Omit<ReassemblerStats, 'nacks' | 'nackedFragments' | 'nacksSuppressed' | 'heardNacks' | 'lossRate' | 'rttMs' | 'inFlight' | 'bufferedBytes'> = {
    fragments: 0, bytes: 0, frames: 0, duplicates: 0, late: 0, conflicts: 0, retransmitted: 0,
    fecRepairedFragments: 0, fecRepairedFrames: 0, lostDeadline: 0, lostEvicted: 0, lostSuperseded: 0, lostUnseen: 0, lostBudget: 0, badChecksum: 0,
    parityRefused: 0, repairRefused: 0, skippedForKeyframe: 0, restarts: 0,
  };
  /** repairAllowance: repair work (bytes) that may be spent now; refilled at REPAIR_WORK_PER_SEC. */
  private repairAllowance = REPAIR_WORK_PER_SEC * REPAIR_BURST_SEC;
  private repairRefilledAt: number | undefined;

  constructor(opts: Partial<ReassemblerOptions> = {}) {
    this.opts = { ...REASSEMBLER_DEFAULTS, ...opts };
    this.nackPlan = new NackScheduler(this.opts.nackIdleMs, this.opts.nackRetryMs, this.opts.multicast ?? false);
  }

  /** heard takes another receiver's NACK (multicast): its fragments are not asked for again while it is answered. */
  heard(n: Nack, now: number): void {
    const a = this.frames.get(n.frameNo);
    if (a && a.header.streamId === n.streamId && !a.complete) this.nackPlan.heard(a, n.indices, now);
  }

  /** lossRate is the measured first-send loss (0..1), undefined before it is known. */
  get lossRate(): number | undefined {
    return this.loss.lossRate;
  }

  /** processInput feeds one fragment (or a tick) and returns what is due now. */
  processInput(input: ReassemblerInput): ReassemblerOutput[] {
    const out: ReassemblerOutput[] = [];
    if ('tick' in input) {
      this.expire(input.now);
    } else {
      const a = this.add(input.fragment, input.now);
      if (a?.complete) this.deliver(a, out, input.now);
    }
    if (this.opts.nack) {
      for (const nack of this.nackPlan.due(this.frames.values(), input.now)) out.push({ type: 'nack', nack });
      for (const a of this.frames.values()) this.recharge(a); // NACK records cost memory too
    }
    return out;
  }

  /** inFlight is how many frames are being assembled. */
  get inFlight(): number {
    return this.frames.size;
  }

  /** newestDelivered is the frame number of the newest frame delivered, if any. */
  get newestDelivered(): number | undefined {
    return this.lastDone;
  }

  /** lostFrames is the number of frames given up, for any reason. */
  get lostFrames(): number {
    return this.s.lostDeadline + this.s.lostEvicted + this.s.lostSuperseded + this.s.lostUnseen + this.s.lostBudget + this.s.badChecksum + this.s.repairRefused;
  }

  /** toJSON returns a copy of the counters. */
  toJSON(): ReassemblerStats {
    const { nacks, nackedFragments, suppressed, heardNacks, rttMs } = this.nackPlan;
    return { ...this.s, nacks, nackedFragments, nacksSuppressed: suppressed, heardNacks, lossRate: this.loss.lossRate ?? null, rttMs: rttMs ?? null, inFlight: this.frames.size, bufferedBytes: this.buffered };
  }

  private add(f: Fragment, now: number): FrameAssembly | undefined {
    const h = f.header;
    this.s.fragments++;
    this.s.bytes += f.payload.length;
    if (h.parityCount > parityCountFor(h.dataCount, this.opts.maxFecPercent)) {
      this.s.parityRefused++;
      return undefined;
    }
    this.loss.seen(h);
    if (this.isLate(h.frameNo)) return undefined;
    let a = this.frames.get(h.frameNo);
    // At most: the payload, a fragment entry and a group entry, plus the assembly when it is new.
    const need = f.payload.length + 2 * ENTRY_OVERHEAD_BYTES + (a ? 0 : FRAME_OVERHEAD_BYTES);
    if (!a) while (this.frames.size >= this.opts.maxInFlight) this.giveUp(this.oldest()!, 'lostEvicted');
    for (let old = this.oldest(a); old && !this.fits(need); old = this.oldest(a)) this.giveUp(old, 'lostEvicted');
    if (!this.fits(need)) {
      // This frame alone exceeds what may be held: give it up (new ones are only remembered).
      if (a) this.giveUp(a, 'lostBudget');
      else this.remember(h.frameNo, 'lostBudget');
      return undefined;
    }
    if (!a) {
      a = new FrameAssembly(h, now);
      this.frames.set(h.frameNo, a);
    }
    const r = a.add(f, now);
    this.recharge(a);
    if (r === 'duplicate') this.s.duplicates++;
    else if (r === 'conflict') this.s.conflicts++;
    else if (h.retransmit) {
      this.s.retransmitted++;
      this.nackPlan.answered(a, h.index, now);
    }
    return a;
  }

  /** isLate counts and tells whether a fragment belongs to a frame already delivered or given up. */
  private isLate(frameNo: number): boolean {
    if (this.lastDone !== undefined) {
      const behind = serialDiff(this.lastDone, frameNo);
      if (behind >= REWIND_FRAMES || behind < -REWIND_FRAMES) this.restart();
      else if (behind >= 0) return this.late();
    }
    return this.givenUp.includes(frameNo) ? this.late() : false;
  }

  private late(): true {
    this.s.late++;
    return true;
  }

  private deliver(a: FrameAssembly, out: ReassemblerOutput[], now: number): void {
    const h = a.header;
    if (!this.affordRepair(a.repairWork(), now)) return this.giveUp(a, 'repairRefused');
    const whole = a.assemble();
    if (!whole) {
      // Not advancing the done mark: a damaged frame number must not hide the frames around it.
      this.s.badChecksum++;
      return this.giveUp(a);
    }
    this.forget(a);
    this.advance(h.frameNo);
    if (h.codec === 'h264') {
      if (h.keyframe) this.needKeyframe = false;
      else if (this.needKeyframe) {
        this.s.skippedForKeyframe++;
        return;
      }
    }
    if (whole.recovered > 0) {
      this.s.fecRepairedFragments += whole.recovered;
      this.s.fecRepairedFrames++;
    }
    this.s.frames++;
    out.push({
      type: 'frame',
      frameNo: h.frameNo,
      frame: { codec: h.codec, keyframe: h.keyframe, seq: h.seq, captureUs: h.captureUs, width: h.width, height: h.height, payload: whole.payload },
    });
  }

  /**
   * giveUp drops an incomplete frame (counted under `why`) and remembers its number, so its
   * stragglers are counted late instead of opening it again. The done mark stays where the last
   * delivered frame put it: a frame number that came from a damaged or forged datagram must not
   * make the real frames after it look late.
   */
  private giveUp(a: FrameAssembly, why?: LossReason): void {
    this.forget(a);
    this.remember(a.header.frameNo, why);
  }

  /** remember counts a frame given up (under `why`) and keeps its number; see giveUp. */
  private remember(frameNo: number, why?: LossReason): void {
    if (why) this.s[why]++;
    this.needKeyframe = true;
    this.givenUp.push(frameNo);
    if (this.givenUp.length > GIVEN_UP_MEMORY) this.givenUp.shift();
  }

  /**
   * advance moves the done mark to a delivered frame: older frames still in flight are superseded,
   * and frame numbers in between that were neither seen nor given up are counted as unseen.
   */
  private advance(frameNo: number): void {
    let older = 0;
    for (const o of [...this.frames.values()]) {
      if (serialDiff(frameNo, o.header.frameNo) > 0) {
        this.forget(o);
        older++;
      }
    }
    this.s.lostSuperseded += older;
    if (this.lastDone !== undefined) {
      const from = this.lastDone;
      const counted = this.givenUp.filter((n) => serialDiff(n, from) > 0 && serialDiff(frameNo, n) > 0).length;
      const gap = serialDiff(frameNo, from) - 1 - older - counted;
      if (gap > 0) this.s.lostUnseen += gap;
      if (older > 0 || gap > 0) this.needKeyframe = true;
    }
    this.lastDone = frameNo;
    this.givenUp = this.givenUp.filter((n) => serialDiff(n, frameNo) > 0);
  }

  private expire(now: number): void {
    const due = [...this.frames.values()].filter((a) => now - a.firstAt > this.opts.deadlineMs);
    due.sort((x, y) => serialDiff(x.header.frameNo, y.header.frameNo));
    for (const a of due) this.giveUp(a, 'lostDeadline');
  }

  private forget(a: FrameAssembly): void {
    if (!this.frames.delete(a.header.frameNo)) return;
    this.nackPlan.settled(a);
    this.buffered -= a.charged;
    this.opts.budget?.take(-a.charged);
    a.charged = 0;
  }

  /** affordRepair charges `work` to the repair allowance (see REPAIR_WORK_PER_SEC); false when it cannot pay. */
  private affordRepair(work: number, now: number): boolean {
    if (work === 0) return true;
    const since = this.repairRefilledAt === undefined ? 0 : now - this.repairRefilledAt;
    this.repairRefilledAt = now;
    this.repairAllowance = Math.min(REPAIR_WORK_PER_SEC * REPAIR_BURST_SEC, this.repairAllowance + (since * REPAIR_WORK_PER_SEC) / 1000);
    if (work > this.repairAllowance) return false;
    this.repairAllowance -= work;
    return true;
  }

  /** fits tells whether n more bytes may be held, here and in the shared budget. */
  private fits(n: number): boolean {
    return this.buffered + n <= this.opts.maxBufferedBytes && (this.opts.budget?.free ?? Infinity) >= n;
  }

  /** recharge brings what `a` is charged up to date with what it holds. */
  private recharge(a: FrameAssembly): void {
    const delta = a.cost - a.charged;
    if (delta === 0) return;
    a.charged += delta;
    this.buffered += delta;
    this.opts.budget?.take(delta);
  }

  /** oldest is the in-flight frame with the lowest frame number, other than `except`. */
  private oldest(except?: FrameAssembly): FrameAssembly | undefined {
    let o: FrameAssembly | undefined;
    for (const a of this.frames.values()) if (a !== except && (!o || serialDiff(a.header.frameNo, o.header.frameNo) < 0)) o = a;
    return o;
  }

  private restart(): void {
    this.s.restarts++;
    for (const a of [...this.frames.values()]) this.forget(a);
    this.lastDone = undefined;
    this.givenUp = [];
    this.needKeyframe = true;
  }
}
