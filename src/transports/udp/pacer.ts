/**
 * pacer: how fast a frame's datagrams leave (pure arithmetic; frame-sender.ts sleeps).
 *
 * Pacing by rate: a frame starts with a burst of up to PACE_BURST_BYTES and then leaves at
 * `--pace-mbps` (config udpPaceMbps, default 200 Mbit/s). A 720p JPEG of ~46 KiB leaves at once,
 * instead of being spread over half the frame interval (which cost ~16 ms of latency at 30 fps):
 * on a loaded machine every pacing wait is a timer that may fire 10+ ms late, so a frame that a
 * receive buffer takes whole should not wait at all. A 1080p or 4K frame (100–500 KiB) still
 * never arrives as one burst that a receive buffer or switch port must swallow at once.
 * 0 sends each frame at once.
 */

/** PACE_BURST_BYTES: the first 64 KiB of a frame leave at once (the largest UDP datagram; receive buffers hold 208 KiB and more). */
export const PACE_BURST_BYTES = 64 * 1024;
/** BYTES_PER_MS_PER_MBPS: 1 Mbit/s is 125 bytes per millisecond. */
export const BYTES_PER_MS_PER_MBPS = 125;

/** Pacer says how many bytes of a frame may be out some time after it started; see the file comment. */
export class Pacer {
  constructor(private readonly mbps: number) {}

  /** rateMbps is the pacing rate (0 = unpaced). */
  get rateMbps(): number {
    return this.mbps;
  }

  /** allowed is how many bytes of a frame may have left `elapsedMs` after its first datagram. */
  allowed(elapsedMs: number): number {
    if (this.mbps <= 0) return Infinity;
    return PACE_BURST_BYTES + Math.max(0, elapsedMs) * this.mbps * BYTES_PER_MS_PER_MBPS;
  }
}
