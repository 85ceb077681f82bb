/**
 * frame-receiver: the socket-side wrapper of one stream's Reassembler — it stamps arrival times,
 * runs the reassembler's clock while frames are in flight, and hands out frames, NACKs and LOSS
 * reports. It owns no socket: the endpoint that received the datagram routes it here and sends
 * what it asks to send.
 *
 * LOSS reports (for a `--fec auto` sender) go out every LOSS_REPORT_MS, jittered so a group's
 * receivers do not report in step; a receiver that heard another's report of at least its own
 * loss since its last one skips its turn (suppression, as for NACKs: the sender wants the worst).
 */
import type { Frame } from '../../frame/frame.js';
import { encodeLoss, encodeNack, type LossReport, type Nack } from './control.js';
import { Reassembler, type ReassemblerOptions, type ReassemblerOutput, type ReassemblerStats } from './reassembler.js';
import type { Fragment } from './wire.js';

/**
 * FrameDelivery receives what a UDP receiver reassembled, and the end of the stream (not to be
 * confused with hub/pump's FrameSink, which a sender writes into).
 */
export interface FrameDelivery {
  frame(f: Omit<Frame, 'stream'>): void;
  end(): void;
}

/** FrameReceiverHandlers: where frames go, how NACKs reach the sender (absent: no NACKs), who hears of a sender over its CPU share. */
export interface FrameReceiverHandlers {
  frame(frame: Omit<Frame, 'stream'>): void;
  nack?: (datagram: Buffer) => void;
  /** overloaded: this sender cost more than CPU_SHARE_MS of processing in one CPU_WINDOW_MS (called once). */
  overloaded?: (cpuMs: number) => void;
  /** report: where LOSS reports go (absent: none sent). */
  report?: (datagram: Buffer) => void;
}

/** LOSS_REPORT_MS: a receiver reports its loss about twice a second (jittered ±25 %). */
export const LOSS_REPORT_MS = 500;

/** ReceiverStats: the reassembler's counters plus the LOSS reports sent and suppressed. */
export type ReceiverStats = ReassemblerStats & { lossReports: number; lossReportsSuppressed: number };

/** RepairSummary: what `view --json` reports of a UDP receiver (issue 14's stats). */
export interface RepairSummary {
  frames: number;
  lostFrames: number;
  fecRepairedFrames: number;
  fecRepairedFragments: number;
  nacksSent: number;
  nacksSuppressed: number;
  repairsReceived: number;
  /** lossRate: share of first-sent fragments lost (0..1), null before it is known. */
  lossRate: number | null;
  rttMs: number | null;
}

/** repairSummary picks the view --json fields from a receiver's counters. */
export function repairSummary(s: ReceiverStats, lostFrames: number): RepairSummary {
  const round = (x: number | null, k: number) => (x === null ? null : Math.round(x * k) / k);
  return {
    frames: s.frames,
    lostFrames,
    fecRepairedFrames: s.fecRepairedFrames,
    fecRepairedFragments: s.fecRepairedFragments,
    nacksSent: s.nacks,
    nacksSuppressed: s.nacksSuppressed,
    repairsReceived: s.retransmitted,
    lossRate: round(s.lossRate, 10_000),
    rttMs: round(s.rttMs, 100),
  };
}

/** CPU_WINDOW_MS: processing time is added up per second … */
export const CPU_WINDOW_MS = 1000;
/** CPU_SHARE_MS: … and one sender may take 250 ms of it (a quarter of a core; a 720p30 stream needs a few ms). */
export const CPU_SHARE_MS = 250;

/** FrameReceiver turns one stream's fragments into frames; see the file comment. */
export class FrameReceiver {
  private readonly reassembler: Reassembler;
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;
  private windowStart = performance.now();
  private cpuMs = 0;
  private overloaded = false;
  private nextReportAt = performance.now() + LOSS_REPORT_MS * Math.random();
  private reportSuppressed = false;
  private lossReports = 0;
  private lossReportsSuppressed = 0;

  constructor(
    readonly streamId: number,
    private readonly handlers: FrameReceiverHandlers,
    opts: Partial<ReassemblerOptions> = {},
  ) {
    this.reassembler = new Reassembler({ ...opts, nack: (opts.nack ?? true) && handlers.nack !== undefined });
    // Tick as often as the quiet time that triggers a NACK, so a loss is noticed that fast.
    this.tickMs = Math.max(1, opts.nackIdleMs ?? 5);
  }

  /** onFragment feeds one fragment of this stream. */
  onFragment(fragment: Fragment): void {
    const t0 = process.cpuUsage();
    const now = performance.now();
    this.handle(this.reassembler.processInput({ fragment, now }));
    if (now >= this.nextReportAt) this.reportLoss(now);
    this.account(t0);
  }

  /** heardNack takes another receiver's NACK for this stream (multicast suppression). */
  heardNack(n: Nack): void {
    if (n.streamId === this.streamId) this.reassembler.heard(n, performance.now());
  }

  /** heardLoss takes another receiver's LOSS report: one at least as bad as ours makes ours unnecessary this turn. */
  heardLoss(r: LossReport): void {
    const mine = this.reassembler.lossRate;
    if (r.streamId === this.streamId && mine !== undefined && r.loss >= mine) this.reportSuppressed = true;
  }

  private reportLoss(now: number): void {
    this.nextReportAt = now + LOSS_REPORT_MS * (0.75 + 0.5 * Math.random());
    const loss = this.reassembler.lossRate;
    if (!this.handlers.report || loss === undefined) return;
    if (this.reportSuppressed) {
      this.reportSuppressed = false;
      this.lossReportsSuppressed++;
      return;
    }
    this.lossReports++;
    this.handlers.report(encodeLoss({ streamId: this.streamId, loss }));
  }

  private tick(): void {
    const t0 = process.cpuUsage();
    this.handle(this.reassembler.processInput({ tick: true, now: performance.now() }));
    this.account(t0);
  }

  /** close stops the clock; frames in flight are dropped. Idempotent. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** progress is what a REPORT says: the newest frame number completed and how many frames were (undefined before the first). */
  progress(): { newestFrameNo: number; frames: number } | undefined {
    const n = this.reassembler.newestDelivered;
    return n === undefined ? undefined : { newestFrameNo: n, frames: this.reassembler.toJSON().frames };
  }

  /** lostFrames is the number of frames given up. */
  get lostFrames(): number {
    return this.reassembler.lostFrames;
  }

  /** summary describes what was received, for a log line when a viewer closes. */
  summary(): string {
    const s = this.reassembler.toJSON();
    return `${s.frames} frames, ${this.lostFrames} lost, ${s.fecRepairedFrames} repaired by FEC, ${s.retransmitted} fragments retransmitted on request`;
  }

  /** summarize returns what `view --json` shows (repairSummary). */
  summarize(): RepairSummary {
    return repairSummary(this.toJSON(), this.lostFrames);
  }

  /** toJSON returns the reassembler's counters and the LOSS reports sent and suppressed. */
  toJSON(): ReceiverStats {
    return { ...this.reassembler.toJSON(), lossReports: this.lossReports, lossReportsSuppressed: this.lossReportsSuppressed };
  }

  /**
   * account adds the CPU time since t0 to this sender's use and reports a sender over its share.
   * CPU time, not wall-clock time: on a busy machine the process waits for a core, and that wait
   * must not count against the sender.
   */
  private account(t0: NodeJS.CpuUsage): void {
    const now = performance.now();
    if (now - this.windowStart >= CPU_WINDOW_MS) {
      this.windowStart = now;
      this.cpuMs = 0;
    }
    const used = process.cpuUsage(t0);
    this.cpuMs += (used.user + used.system) / 1000;
    if (this.cpuMs > CPU_SHARE_MS && !this.overloaded) {
      this.overloaded = true;
      this.handlers.overloaded?.(this.cpuMs);
    }
  }

  private handle(outs: ReassemblerOutput[]): void {
    for (const o of outs) {
      if (o.type === 'frame') this.handlers.frame(o.frame);
      else this.handlers.nack?.(encodeNack(o.nack));
    }
    const busy = this.reassembler.inFlight > 0;
    if (busy && !this.timer) this.timer = setInterval(() => this.tick(), this.tickMs);
    else if (!busy && this.timer) this.close();
  }
}
