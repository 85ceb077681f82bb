/**
 * frame-sender: sends frames to one destination as paced DATA datagrams, and answers NACKs from
 * a short cache of recent frames. It does not own a socket: `transmit` writes one datagram
 * (the owner knows the address), so the hub, direct senders and clients share it.
 *
 * `pump` feeds it from a hub Reader without waiting for pacing: UDP sends never block, so
 * pacing only shapes bursts and must not make the Reader skip frames.
 */
import { randomBytes } from 'node:crypto';
import type { Frame } from '../../frame/frame.js';
import type { Reader } from '../../hub/reader.js';
import { sleep } from '../../util/sleep.js';
import { encodeEnd, type Nack } from './control.js';
import { Pacer } from './pacer.js';
import { asRetransmission, packetize, type DatagramParts, type PacketizedFrame, type PacketizerOptions } from './packetizer.js';

/** FrameSenderOptions: how frames are cut and paced, and whether NACKs are answered. */
export interface FrameSenderOptions extends PacketizerOptions {
  /** pacePercent: spread each frame over this share of the frame interval (0 = send at once). */
  pacePercent: number;
  /** retransmit: keep recent frames and answer NACKs (off for multicast: nobody may ask). */
  retransmit: boolean;
}

/** RETRANSMIT_CACHE_FRAMES: 8 frames (~270 ms at 30 fps) outlast the receivers' 200 ms deadline. */
export const RETRANSMIT_CACHE_FRAMES = 8;
/** MAX_RETRANSMITS: each datagram is sent again at most 5 times, so NACKs cannot multiply traffic without bound. */
export const MAX_RETRANSMITS = 5;
/** PACE_TICK_MS: the sleep between bursts; timers are not finer than ~1 ms. */
export const PACE_TICK_MS = 1;

/** END_REPEATS: END is sent 3 times, 20 ms apart, so one lost datagram does not leave viewers waiting. */
export const END_REPEATS = 3;

/** randomStreamId picks a stream id; random, so a restarted sender is never taken for its predecessor. */
export function randomStreamId(): number {
  return randomBytes(4).readUInt32BE(0);
}

/** sendEnd sends END for `streamId` END_REPEATS times. */
export async function sendEnd(send: (b: Buffer) => void, streamId: number): Promise<void> {
  for (let i = 0; i < END_REPEATS; i++) {
    if (i > 0) await sleep(20);
    send(encodeEnd(streamId));
  }
}

/**
 * pump sends every frame `reader` yields through `sender` until the reader ends (then, after
 * the last datagram, `onEnd`) or `stopped()` turns true.
 */
export async function pump(reader: Reader, sender: FrameSender, stopped: () => boolean, onEnd: () => Promise<void>): Promise<void> {
  for (;;) {
    const f = await reader.next();
    if (stopped()) return;
    if (!f) {
      sender.flush();
      return onEnd();
    }
    void sender.send(f);
  }
}

/** FrameSenderStats: the counters toJSON() returns. */
export interface FrameSenderStats {
  frames: number;
  datagrams: number;
  bytes: number;
  parityDatagrams: number;
  nacks: number;
  retransmitted: number;
  nackIgnored: number;
}

interface Sent {
  pf: PacketizedFrame;
  /** out: how many datagrams went out the first time (pacing may still be under way). */
  out: number;
  resends: Uint8Array;
}

/** FrameSender paces frames out and repairs losses on request; see the file comment. */
export class FrameSender {
  private frameNo = 0;
  private readonly pacer: Pacer;
  private readonly cache = new Map<number, Sent>();
  /** pacing: the frame whose datagrams are still going out. */
  private pacing: Sent | undefined;
  private closed = false;
  private readonly s: FrameSenderStats = { frames: 0, datagrams: 0, bytes: 0, parityDatagrams: 0, nacks: 0, retransmitted: 0, nackIgnored: 0 };

  constructor(
    readonly streamId: number,
    private readonly transmit: (parts: DatagramParts) => void,
    private readonly opts: FrameSenderOptions,
  ) {
    this.pacer = new Pacer(opts.pacePercent);
  }

  /**
   * send transmits one frame, paced; resolves when its last datagram went out (or on close).
   * Callers need not wait: a frame sent while the previous one is still being paced first
   * flushes the rest of the previous one, so no frame is ever dropped for pacing.
   */
  async send(frame: Omit<Frame, 'stream'>): Promise<void> {
    if (this.closed) return;
    this.flush();
    const pf = packetize(frame, this.streamId, this.frameNo, this.opts);
    this.frameNo = (this.frameNo + 1) >>> 0;
    const entry: Sent = { pf, out: 0, resends: new Uint8Array(pf.datagrams.length) };
    this.pacing = entry;
    if (this.opts.retransmit) this.remember(entry);
    this.s.frames++;
    this.s.parityDatagrams += pf.parityCount;
    const total = pf.datagrams.length;
    const t0 = performance.now();
    const spread = this.pacer.start(t0);
    for (;;) {
      const due = Pacer.due(total, performance.now() - t0, spread);
      while (entry.out < due) this.put(pf.datagrams[entry.out++]);
      if (entry.out >= total || this.closed) break;
      await sleep(PACE_TICK_MS);
    }
    if (this.pacing === entry) this.pacing = undefined;
  }

  /** flush sends what is left of the frame being paced, at once (before END, or a newer frame). */
  flush(): void {
    const e = this.pacing;
    if (!e) return;
    this.pacing = undefined;
    while (e.out < e.pf.datagrams.length) this.put(e.pf.datagrams[e.out++]);
  }

  /** onNack sends the asked-for datagrams of a cached frame again, each at most MAX_RETRANSMITS times. */
  onNack(n: Nack): void {
    this.s.nacks++;
    const entry = n.streamId === this.streamId ? this.cache.get(n.frameNo) : undefined;
    if (!entry) {
      this.s.nackIgnored++;
      return;
    }
    for (const i of n.indices) {
      // Not yet sent the first time (still pacing) or asked too often: ignore, never amplify.
      if (i >= entry.out || entry.resends[i] >= MAX_RETRANSMITS) continue;
      entry.resends[i]++;
      this.s.retransmitted++;
      this.put(asRetransmission(entry.pf.datagrams[i]));
    }
  }

  /** close stops pacing at once; later sends are ignored. */
  close(): void {
    this.closed = true;
    this.cache.clear();
  }

  /** toJSON returns a copy of the counters. */
  toJSON(): FrameSenderStats {
    return { ...this.s };
  }

  private put(parts: DatagramParts): void {
    this.s.datagrams++;
    this.s.bytes += parts[0].length + parts[1].length;
    this.transmit(parts);
  }

  private remember(entry: Sent): void {
    this.cache.set(entry.pf.frameNo, entry);
    if (this.cache.size > RETRANSMIT_CACHE_FRAMES) this.cache.delete(this.cache.keys().next().value!);
  }
}
