/**
 * frame-receiver: the socket-side wrapper of one stream's Reassembler — it stamps arrival times,
 * runs the reassembler's clock while frames are in flight, and hands out frames and NACKs.
 * It owns no socket: the endpoint that received the datagram routes it here and sends the NACKs.
 */
import type { Frame } from '../../frame/frame.js';
import { encodeNack } from './control.js';
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

/** FrameReceiverHandlers: where frames go and how NACKs reach the sender (absent: no NACKs). */
export interface FrameReceiverHandlers {
  frame(frame: Omit<Frame, 'stream'>): void;
  nack?: (datagram: Buffer) => void;
}

/** FrameReceiver turns one stream's fragments into frames; see the file comment. */
export class FrameReceiver {
  private readonly reassembler: Reassembler;
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;

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
    this.handle(this.reassembler.processInput({ fragment, now: performance.now() }));
  }

  /** close stops the clock; frames in flight are dropped. Idempotent. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
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

  /** toJSON returns the reassembler's counters. */
  toJSON(): ReassemblerStats {
    return this.reassembler.toJSON();
  }

  private handle(outs: ReassemblerOutput[]): void {
    for (const o of outs) {
      if (o.type === 'frame') this.handlers.frame(o.frame);
      else this.handlers.nack?.(encodeNack(o.nack));
    }
    const busy = this.reassembler.inFlight > 0;
    if (busy && !this.timer) this.timer = setInterval(() => this.handle(this.reassembler.processInput({ tick: true, now: performance.now() })), this.tickMs);
    else if (!busy && this.timer) this.close();
  }
}
