/**
 * loss-meter: a receiver's estimate of how many first-sent fragments do not reach it (pure; the
 * reassembler feeds it, LOSS datagrams carry it to a `--fec auto` sender, `view --json` shows it).
 *
 * Per frame it counts the fragments that arrived the first time (retransmissions do not count:
 * they repair loss, they do not measure it) against the count the header says were sent. A
 * frame is judged once LOSS_SETTLE_FRAMES newer frames have started, so its stragglers are in;
 * a frame number never seen at all counts as wholly lost. The rate is an exponentially weighted
 * mean over frames (LOSS_WEIGHT: about two seconds at 30 fps), so one bad frame does not swing
 * the sender's parity, while a link that turns lossy is noticed within a second.
 */
import { serialDiff } from './assembly.js';
import type { FragmentHeader } from './wire.js';

/** LOSS_SETTLE_FRAMES: a frame's count is final once 4 newer frames have started. */
export const LOSS_SETTLE_FRAMES = 4;
/** LOSS_WEIGHT: each judged frame moves the estimate 1/64 of the way (~2 s at 30 fps). */
export const LOSS_WEIGHT = 1 / 64;
/** LOSS_MAX_GAP: a jump of more than 64 frame numbers is a restart, not 64 lost frames. */
export const LOSS_MAX_GAP = 64;

interface Count {
  sent: number;
  got: number;
}

/** LossMeter estimates the first-send loss rate of one stream; see the file comment. */
export class LossMeter {
  private readonly open = new Map<number, Count>();
  private newest: number | undefined;
  private rate: number | undefined;
  /** judged: frames that went into the estimate. */
  judged = 0;

  /** seen counts one fragment that arrived; retransmissions are ignored. */
  seen(h: Pick<FragmentHeader, 'frameNo' | 'dataCount' | 'parityCount' | 'retransmit'>): void {
    if (h.retransmit) return;
    const ahead = this.newest === undefined ? 1 : serialDiff(h.frameNo, this.newest);
    if (ahead > LOSS_MAX_GAP || ahead < -LOSS_MAX_GAP) this.restart();
    else if (ahead <= -LOSS_SETTLE_FRAMES) return; // already judged: a straggler
    if (this.newest === undefined || ahead > 0) {
      // Frame numbers skipped over are frames lost whole (their size unknown: one sample each).
      for (let k = 1; this.newest !== undefined && k < ahead; k++) this.open.set((this.newest + k) >>> 0, { sent: 1, got: 0 });
      this.newest = h.frameNo;
      this.settle();
    }
    let c = this.open.get(h.frameNo);
    if (!c) this.open.set(h.frameNo, (c = { sent: h.dataCount + h.parityCount, got: 0 }));
    c.got = Math.min(c.sent, c.got + 1); // duplicates do not make a frame better than whole
  }

  /** lossRate is the smoothed share of first sends lost (0..1), undefined before a frame was judged. */
  get lossRate(): number | undefined {
    return this.rate;
  }

  private settle(): void {
    for (const [n, c] of this.open) {
      if (serialDiff(this.newest!, n) < LOSS_SETTLE_FRAMES) continue;
      this.open.delete(n);
      const loss = 1 - c.got / c.sent;
      this.rate = this.rate === undefined ? loss : this.rate + LOSS_WEIGHT * (loss - this.rate);
      this.judged++;
    }
  }

  private restart(): void {
    this.open.clear();
    this.newest = undefined;
  }
}
