/**
 * frame-sender: sends frames to one destination as paced DATA datagrams, and answers NACKs from
 * a short cache of recent frames. It does not own a socket: `transmit` writes one datagram
 * (the owner knows the address), so the hub, direct senders and clients share it.
 *
 * A FrameSender is a hub `FrameSink` driven by the one newest-wins pump (hub/pump.ts): it is
 * busy while a frame is still being paced out, and a frame published meanwhile waits in the
 * reader's slot, where a newer one replaces it. When the pump asks to write (`writable()`), a
 * newer frame is waiting: the rest of the current one leaves at once, since pacing only shapes
 * bursts and must not turn a stalled event loop's backlog into dropped frames. Frames that
 * arrive while the sender cannot even do that replace each other (newest wins).
 */
import { randomBytes } from 'node:crypto';
import type { Frame } from '../../frame/frame.js';
import { pumpNewest, type FrameSink } from '../../hub/pump.js';
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
/**
 * RETRANSMIT_SHARE: retransmissions may add at most half of what was sent the first time (a
 * token bucket filled by first sends, RETRANSMIT_BURST_BYTES deep): real loss on a LAN needs a
 * few percent, while a receiver NACKing everything could otherwise pull several times the
 * stream rate (MAX_RETRANSMITS per datagram of every cached frame).
 */
export const RETRANSMIT_SHARE = 0.5;
/** RETRANSMIT_BURST_BYTES: up to 1 MiB of retransmissions may be saved up for a burst of loss. */
export const RETRANSMIT_BURST_BYTES = 1024 * 1024;
/** PACE_TICK_MS: the wait between bursts; timers are not finer than ~1 ms. */
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
 * sendStream pumps `reader` into `sender` (newest frame wins) until the reader ends or the
 * sender closes. If the stream ended (not a close), the last frame is paced out and END sent
 * through `send`; resolves true then, false after a close.
 */
export async function sendStream(reader: Reader, sender: FrameSender, send: (b: Buffer) => void): Promise<boolean> {
  await pumpNewest(reader, sender);
  if (sender.closed) return false;
  await sender.drained();
  await sendEnd(send, sender.streamId);
  return true;
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
  /** retransmitRefused: datagrams asked for again beyond the RETRANSMIT_SHARE allowance. */
  retransmitRefused: number;
}

interface Sent {
  pf: PacketizedFrame;
  /** out: how many datagrams went out the first time (pacing may still be under way). */
  out: number;
  resends: Uint8Array;
}

/** FrameSender paces frames out and repairs losses on request; see the file comment. */
export class FrameSender implements FrameSink {
  /** frameNo: the next frame number; starts at random, so only a receiver of the stream knows the current one (server.ts REPORT). */
  private frameNo = randomBytes(4).readUInt32BE(0);
  /** allowance: bytes that may still be retransmitted (RETRANSMIT_SHARE). */
  private allowance = 0;
  private readonly pacer: Pacer;
  private readonly cache = new Map<number, Sent>();
  /** pacing: the frame whose datagrams are still going out. */
  private pacing: Sent | undefined;
  private isClosed = false;
  /** waiters: pump calls waiting for pacing to finish (writable()). */
  private waiters: (() => void)[] = [];
  private readonly s: FrameSenderStats = { frames: 0, datagrams: 0, bytes: 0, parityDatagrams: 0, nacks: 0, retransmitted: 0, nackIgnored: 0, retransmitRefused: 0 };

  constructor(
    readonly streamId: number,
    private readonly transmit: (parts: DatagramParts) => void,
    private readonly opts: FrameSenderOptions,
  ) {
    this.pacer = new Pacer(opts.pacePercent);
  }

  /** closed tells whether close() was called (the pump stops). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** busy tells whether a frame is still being paced out. */
  busy(): boolean {
    return this.pacing !== undefined;
  }

  /** writable is called when a newer frame waits: the frame being paced leaves at once (see the file comment). */
  writable(): Promise<void> {
    this.flush();
    return Promise.resolve();
  }

  /** drained resolves once the frame being paced is out (or the sender closed), without hurrying it. */
  drained(): Promise<void> {
    if (!this.busy() || this.isClosed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** write starts pacing one frame out; it never waits (FrameSink). */
  write(frame: Frame): void {
    void this.send(frame);
  }

  /**
   * send transmits one frame, paced; resolves when its last datagram went out (or on close).
   * A frame sent while the previous one is still being paced first flushes the rest of the
   * previous one (the pump never does that: it waits while busy()).
   */
  async send(frame: Omit<Frame, 'stream'>): Promise<void> {
    if (this.isClosed) return;
    this.flush();
    const pf = packetize(frame, this.streamId, this.frameNo, this.opts);
    this.frameNo = (this.frameNo + 1) >>> 0;
    this.allowance = Math.min(RETRANSMIT_BURST_BYTES, this.allowance + RETRANSMIT_SHARE * pf.bytes);
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
      if (entry.out >= total || this.isClosed || this.pacing !== entry) break;
      await sleep(PACE_TICK_MS);
    }
    if (this.pacing === entry) this.paced();
  }

  /** flush sends what is left of the frame being paced, at once (before a newer frame). */
  flush(): void {
    const e = this.pacing;
    if (!e) return;
    while (e.out < e.pf.datagrams.length) this.put(e.pf.datagrams[e.out++]);
    this.paced();
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
      const [h, p] = entry.pf.datagrams[i];
      if (h.length + p.length > this.allowance) {
        this.s.retransmitRefused++;
        continue;
      }
      this.allowance -= h.length + p.length;
      entry.resends[i]++;
      this.s.retransmitted++;
      this.put(asRetransmission(entry.pf.datagrams[i]));
    }
  }

  /** close stops pacing at once; later sends are ignored. Idempotent. */
  close(): void {
    this.isClosed = true;
    this.cache.clear();
    this.paced();
  }

  /** lastFrameNo is the number of the newest frame sent (or being sent). */
  get lastFrameNo(): number {
    return (this.frameNo - 1) >>> 0;
  }

  /** toJSON returns a copy of the counters. */
  toJSON(): FrameSenderStats {
    return { ...this.s };
  }

  /** paced ends the current frame's pacing and wakes the pump. */
  private paced(): void {
    this.pacing = undefined;
    for (const w of this.waiters.splice(0)) w();
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
