/**
 * udp-countdown: the UDP scheme of seed 001 (lab3-redes), rebuilt only as a benchmark baseline.
 *
 * Each datagram is `[u8 k][JPEG slice]`; k counts down from N (slices in the frame) to 1 and
 * `k <= 1` means "last slice: decode now". There is no frame id, no checksum, no parity and no
 * pacing: a lost slice silently shortens or merges frames, which is what this baseline measures.
 */
import { createSocket, type Socket } from 'node:dgram';

/** COUNTDOWN_SEED_SLICE: the seed's slice size (65 408 bytes; IP fragments it on a real network). */
export const COUNTDOWN_SEED_SLICE = 65_408;
/** COUNTDOWN_MTU_SLICE: the friendliest variant, one slice per Ethernet-sized datagram. */
export const COUNTDOWN_MTU_SLICE = 1400;

/** countdownDatagrams cuts a JPEG into seed-001 datagrams of at most `slice` bytes (N ≤ 255). */
export function countdownDatagrams(jpeg: Buffer, slice: number): Buffer[] {
  const n = Math.ceil(jpeg.length / slice);
  if (n > 255) throw new RangeError(`a ${jpeg.length}-byte JPEG needs ${n} > 255 slices of ${slice}`);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(Buffer.concat([Buffer.from([n - i]), jpeg.subarray(i * slice, (i + 1) * slice)]));
  return out;
}

/** CountdownReceiver rebuilds "frames" exactly as the seed's receiver does, on 127.0.0.1:port. */
export class CountdownReceiver {
  private parts: Buffer[] = [];
  private constructor(private readonly socket: Socket) {}

  /** open binds and calls `onFrame` with every buffer the seed would have decoded. */
  static async open(onFrame: (jpeg: Buffer) => void): Promise<CountdownReceiver> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.setRecvBufferSize(4 << 20);
    const r = new CountdownReceiver(s);
    s.on('message', (m) => {
      if (m.length < 1) return;
      r.parts.push(m.subarray(1));
      if (m[0] <= 1) {
        onFrame(Buffer.concat(r.parts));
        r.parts = [];
      }
    });
    return r;
  }

  /** port is the bound port. */
  get port(): number {
    return this.socket.address().port;
  }

  /** close closes the socket. */
  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
