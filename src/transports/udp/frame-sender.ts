/**
 * frame-sender: sends frames to one destination (a receiver or a multicast group) as paced DATA
 * datagrams, and answers NACKs from a short cache of recent frames. It does not own a socket:
 * `transmit` writes one datagram (the owner knows the address), so the hub, direct senders and
 * clients share it.
 *
 * A FrameSender is a hub `FrameSink` driven by the one newest-wins pump (hub/pump.ts): it is
 * busy while a frame is still being paced out, and a frame published meanwhile waits in the
 * reader's slot, where a newer one replaces it. When the pump asks to write (`writable()`), a
 * newer frame is waiting: the rest of the current one leaves at once, since pacing only shapes
 * bursts and must not turn a stalled event loop's backlog into dropped frames. Frames that
 * arrive while the sender cannot even do that replace each other (newest wins). Pacing is by
 * rate (pacer.ts).
 *
 * Repairs (the NORM idea, RFC 5740): a datagram asked for again is sent once per
 * REPAIR_ROUND_MS, whoever asked — for a multicast group it goes to the whole group, so every
 * receiver that lost it is served by one copy, and receivers that hear it cancel their own
 * NACKs. All repairs together are capped by a token bucket filled with a share of what was sent
 * the first time (RETRANSMIT_SHARE unicast, MULTICAST_REPAIR_SHARE multicast) and at most that
 * share of the cached frames deep, so however many receivers ask, and whatever they ask for,
 * repair traffic stays below that fraction of the stream rate. A NACK for a frame no longer
 * cached is answered with nothing.
 *
 * Parity is fixed (`fecPercent`) or, with `fecAuto`, sized per frame from the receivers' LOSS
 * reports (auto-parity.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Frame } from '../../frame/frame.js';
import { pumpNewest, type FrameSink } from '../../hub/pump.js';
import type { Reader } from '../../hub/reader.js';
import { sleep } from '../../util/sleep.js';
import { AutoParity } from './auto-parity.js';
import { encodeEnd, type LossReport, type Nack } from './control.js';
import { Pacer } from './pacer.js';
import { asRetransmission, packetize, type DatagramParts, type PacketizedFrame, type PacketizerOptions } from './packetizer.js';

/** FrameSenderOptions: how frames are cut and paced, and whether NACKs are answered. */
export interface FrameSenderOptions extends PacketizerOptions {
  /** paceMbps: the pacing rate in Mbit/s (0 = each frame at once); see pacer.ts. */
  paceMbps: number;
  /** retransmit: keep recent frames and answer NACKs. */
  retransmit: boolean;
  /** multicast: the destination is a group — repairs are capped at MULTICAST_REPAIR_SHARE. */
  multicast?: boolean;
  /** fecAuto: size parity from LOSS reports (auto-parity.ts) instead of fecPercent. */
  fecAuto?: boolean;
  /** maxFecPercent: the most parity receivers accept; `fecAuto` stays within it. */
  maxFecPercent?: number;
}

/** RETRANSMIT_CACHE_FRAMES: 8 frames (~270 ms at 30 fps) outlast the receivers' 200 ms deadline. */
export const RETRANSMIT_CACHE_FRAMES = 8;
/** MAX_RETRANSMITS: each datagram is sent again at most 5 times, so NACKs cannot multiply traffic without bound. */
export const MAX_RETRANSMITS = 5;
/**
 * RETRANSMIT_SHARE: retransmissions may add at most half of what was sent the first time (a
 * token bucket filled by first sends, at most RETRANSMIT_BURST_BYTES and the share of the cached
 * frames deep): real loss on a LAN needs a few percent, while a receiver NACKing everything
 * could otherwise pull several times the stream rate (MAX_RETRANSMITS per datagram of every
 * cached frame).
 */
export const RETRANSMIT_SHARE = 0.5;
/**
 * MULTICAST_REPAIR_SHARE: to a group, repairs may add at most a quarter of the stream: with
 * `--fec auto` parity leaves ~2 % of frames to NACKs, and one copy serves every receiver, so
 * even 10 receivers at 10 % loss need a few percent; a hostile receiver NACKing everything can
 * take this share and no more.
 */
export const MULTICAST_REPAIR_SHARE = 0.25;
/** RETRANSMIT_BURST_BYTES: up to 1 MiB of retransmissions may be saved up for a burst of loss. */
export const RETRANSMIT_BURST_BYTES = 1024 * 1024;
/**
 * REPAIR_ROUND_MS: a datagram is repaired at most once per 2 ms, whoever asks; receivers never
 * ask for the same fragment twice within 2 ms (nack-scheduler NACK_RETRY_MIN_MS), so only other
 * receivers' duplicate asks fall inside a round.
 */
export const REPAIR_ROUND_MS = 2;
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
  /** pictureBytes: the frames' payload bytes (what the datagrams carry, without headers, parity or repairs). */
  pictureBytes: number;
  datagrams: number;
  bytes: number;
  parityDatagrams: number;
  nacks: number;
  retransmitted: number;
  nackIgnored: number;
  /** retransmitRefused: datagrams asked for again beyond the repair allowance (RETRANSMIT_SHARE / MULTICAST_REPAIR_SHARE). */
  retransmitRefused: number;
  /** repairsCoalesced: asks for a datagram already repaired in the current round (answered by that copy). */
  repairsCoalesced: number;
  /** repairBytes: bytes sent as repairs (retransmissions), headers included. */
  repairBytes: number;
  /** parityBytes: bytes of parity datagrams sent, headers included. */
  parityBytes: number;
  /** parityPercent: parity of the last frame, in percent of its data fragments. */
  parityPercent: number;
  /** lossReports: LOSS reports heard; worstLoss: the worst recent one (0..1, `fecAuto` only). */
  lossReports: number;
  /** worstLoss: see lossReports. */
  worstLoss: number;
}

interface Sent {
  pf: PacketizedFrame;
  /** out: how many datagrams went out the first time (pacing may still be under way). */
  out: number;
  resends: Uint8Array;
  /** repairedAt: when each datagram was last repaired (ms), for REPAIR_ROUND_MS. */
  repairedAt: Float64Array;
}

/** FrameSender paces frames out and repairs losses on request; see the file comment. */
export class FrameSender implements FrameSink {
  /** frameNo: the next frame number; starts at random, so only a receiver of the stream knows the current one (server.ts REPORT). */
  private frameNo = randomBytes(4).readUInt32BE(0);
  /** allowance: bytes that may still be retransmitted (RETRANSMIT_SHARE / MULTICAST_REPAIR_SHARE). */
  private allowance = 0;
  private readonly share: number;
  private readonly pacer: Pacer;
  private readonly auto: AutoParity | undefined;
  private readonly cache = new Map<number, Sent>();
  /** pacing: the frame whose datagrams are still going out. */
  private pacing: Sent | undefined;
  private isClosed = false;
  /** waiters: pump calls waiting for pacing to finish (writable()). */
  private waiters: (() => void)[] = [];
  private readonly s: FrameSenderStats = {
    frames: 0, pictureBytes: 0, datagrams: 0, bytes: 0, parityDatagrams: 0, nacks: 0, retransmitted: 0, nackIgnored: 0, retransmitRefused: 0,
    repairsCoalesced: 0, repairBytes: 0, parityBytes: 0, parityPercent: 0, lossReports: 0, worstLoss: 0,
  };

  constructor(
    readonly streamId: number,
    private readonly transmit: (parts: DatagramParts) => void,
    private readonly opts: FrameSenderOptions,
  ) {
    this.pacer = new Pacer(opts.paceMbps);
    this.share = opts.multicast ? MULTICAST_REPAIR_SHARE : RETRANSMIT_SHARE;
    if (opts.fecAuto) this.auto = new AutoParity(opts.maxFecPercent ?? 100);
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
    const t0 = performance.now();
    const auto = this.auto;
    const pf = packetize(frame, this.streamId, this.frameNo, auto ? { ...this.opts, parityCount: (n) => auto.parityCount(n, t0) } : this.opts);
    this.frameNo = (this.frameNo + 1) >>> 0;
    const entry: Sent = { pf, out: 0, resends: new Uint8Array(pf.datagrams.length), repairedAt: new Float64Array(pf.datagrams.length).fill(-Infinity) };
    this.pacing = entry;
    if (this.opts.retransmit) this.remember(entry);
    this.allowance = Math.min(this.allowanceDepth(), this.allowance + this.share * pf.bytes);
    this.s.frames++;
    this.s.pictureBytes += frame.payload.length;
    this.s.parityDatagrams += pf.parityCount;
    this.s.parityPercent = Math.round((1000 * pf.parityCount) / pf.dataCount) / 10;
    const total = pf.datagrams.length;
    const start = performance.now();
    let bytes = 0;
    // Each step sends at least one datagram, then as many as the rate allows; a flush or close ends it.
    while (entry.out < total && !this.isClosed && this.pacing === entry) {
      const allowed = this.pacer.allowed(performance.now() - start);
      do bytes += this.put(pf.datagrams[entry.out++]);
      while (entry.out < total && bytes + datagramBytes(pf.datagrams[entry.out]) <= allowed);
      if (entry.out < total) await sleep(PACE_TICK_MS);
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

  /**
   * onNack sends the asked-for datagrams of a cached frame again: each at most once per
   * REPAIR_ROUND_MS and MAX_RETRANSMITS times in all, within the repair allowance.
   */
  onNack(n: Nack, now = performance.now()): void {
    this.s.nacks++;
    const entry = n.streamId === this.streamId ? this.cache.get(n.frameNo) : undefined;
    if (!entry) {
      this.s.nackIgnored++;
      return;
    }
    for (const i of n.indices) {
      // Not yet sent the first time (still pacing) or asked too often: ignore, never amplify.
      if (i >= entry.out || entry.resends[i] >= MAX_RETRANSMITS) continue;
      if (now - entry.repairedAt[i] < REPAIR_ROUND_MS) {
        this.s.repairsCoalesced++;
        continue;
      }
      const size = datagramBytes(entry.pf.datagrams[i]);
      if (size > this.allowance) {
        this.s.retransmitRefused++;
        continue;
      }
      this.allowance -= size;
      entry.resends[i]++;
      entry.repairedAt[i] = now;
      this.s.retransmitted++;
      this.s.repairBytes += this.put(asRetransmission(entry.pf.datagrams[i]));
    }
  }

  /** onLoss takes a receiver's LOSS report (used with `fecAuto`). */
  onLoss(r: LossReport, now = performance.now()): void {
    if (r.streamId !== this.streamId) return;
    this.s.lossReports++;
    this.auto?.report(r.loss, now);
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
    return { ...this.s, worstLoss: this.auto?.worstLoss(performance.now()) ?? 0 };
  }

  /** paced ends the current frame's pacing and wakes the pump. */
  private paced(): void {
    this.pacing = undefined;
    for (const w of this.waiters.splice(0)) w();
  }

  /** put transmits one datagram and returns its size. */
  private put(parts: DatagramParts): number {
    const n = datagramBytes(parts);
    this.s.datagrams++;
    this.s.bytes += n;
    if (parts[0].readUInt16BE(30) >= parts[0].readUInt16BE(32)) this.s.parityBytes += n;
    this.transmit(parts);
    return n;
  }

  private remember(entry: Sent): void {
    this.cache.set(entry.pf.frameNo, entry);
    if (this.cache.size > RETRANSMIT_CACHE_FRAMES) this.cache.delete(this.cache.keys().next().value!);
  }

  /** allowanceDepth: repairs saved up are at most the share of the cached frames (and RETRANSMIT_BURST_BYTES). */
  private allowanceDepth(): number {
    let cached = 0;
    for (const e of this.cache.values()) cached += e.pf.bytes;
    return Math.min(RETRANSMIT_BURST_BYTES, this.share * Math.max(cached, this.pacing?.pf.bytes ?? 0));
  }
}

/** datagramBytes is the size of a datagram sent as parts. */
function datagramBytes([h, p]: DatagramParts): number {
  return h.length + p.length;
}
