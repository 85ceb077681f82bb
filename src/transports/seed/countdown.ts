/**
 * countdown: lab3-redes' (001) UDP datagrams — pure slicing and reassembly, no sockets.
 *
 * ```
 * [u8 k][JPEG slice]     k counts down from N (slices in this frame, ≤ 255) to 1; k ≤ 1: last slice
 * "Hello"                5 bytes the old sender sends once before the first frame
 * "ack"                  3 bytes an old receiver answers to Hello
 * ```
 * There is no frame id and no checksum, so the reassembler is strict: a frame whose k values are
 * not N, N−1, …, 1 in order (a slice lost, repeated or reordered) is dropped and counted, and what
 * completes is delivered only when it is one whole JPEG (jpeg-whole: markers; jpeg-entropy: the
 * Huffman data holds exactly the picture's blocks), so pieces of two frames glued together, which
 * the k values alone cannot reveal, are dropped too.
 */
import { createError } from '../../util/errors.js';
import { jpegSize } from '../../codecs/jpeg.js';
import { entropyFits } from './jpeg-entropy.js';
import { isWholeJpeg } from './jpeg-whole.js';
import type { JpegPicture } from './picture.js';

/** COUNTDOWN is the format's name (the wire= value). */
export const COUNTDOWN = 'countdown';
/** COUNTDOWN_HELLO is the greeting an old receiver expects as the very first datagram. */
export const COUNTDOWN_HELLO = Buffer.from('Hello', 'latin1');
/** COUNTDOWN_ACK is what an old receiver answers; camwire ignores it. */
export const COUNTDOWN_ACK = Buffer.from('ack', 'latin1');
/** COUNTDOWN_MAX_SLICES: k is one byte, so a frame has at most 255 slices. */
export const COUNTDOWN_MAX_SLICES = 255;
/** COUNTDOWN_SLICE_BYTES: 1400-byte slices fit any Ethernet path (1500 minus IP/UDP headers and tunnel room) unfragmented. */
export const COUNTDOWN_SLICE_BYTES = 1400;

/** countdownSlices cuts `jpeg` into datagrams of at most `sliceBytes` of JPEG each. */
export function countdownSlices(jpeg: Buffer, sliceBytes: number): Buffer[] {
  const n = Math.max(1, Math.ceil(jpeg.length / sliceBytes));
  if (n > COUNTDOWN_MAX_SLICES) {
    throw createError('CAMWIRE_ERR_FRAME_TOO_LARGE', `${COUNTDOWN}: a ${jpeg.length}-byte JPEG needs ${n} slices of ${sliceBytes} bytes, more than ${COUNTDOWN_MAX_SLICES} (lower --quality or --size, or raise --mtu)`);
  }
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const slice = jpeg.subarray(i * sliceBytes, (i + 1) * sliceBytes);
    const d = Buffer.allocUnsafe(slice.length + 1);
    d[0] = n - i;
    slice.copy(d, 1);
    out.push(d);
  }
  return out;
}

/** CountdownStats: what the reassembler has seen. */
export interface CountdownStats {
  frames: number;
  /** dropped: frames given up (slice missing, repeated, out of order, or not one whole JPEG); the pieces of one broken frame count once. */
  dropped: number;
  /** ignored: Hello, ack and empty datagrams. */
  ignored: number;
}

/** CountdownReassembler rebuilds JPEGs from countdown datagrams; see the file comment. */
export class CountdownReassembler {
  readonly stats: CountdownStats = { frames: 0, dropped: 0, ignored: 0 };
  private parts: Buffer[] = [];
  private size = 0;
  /** next is the k the next slice of the frame in progress must carry (0: none in progress). */
  private next = 0;
  /** afterDrop: the frame in progress began right after a broken one (the rest of that one, likely; counted already). */
  private afterDrop = false;
  private justDropped = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** push takes one datagram and returns the picture it completes, if any. */
  push(d: Buffer): JpegPicture | undefined {
    if (d.length === 0 || d.equals(COUNTDOWN_HELLO) || d.equals(COUNTDOWN_ACK)) {
      this.stats.ignored++;
      return undefined;
    }
    const k = Math.max(1, d[0]);
    if (this.next !== 0 && k !== this.next) this.drop(); // the frame in progress lost a slice
    if (this.next === 0) {
      this.afterDrop = this.justDropped;
      this.justDropped = false;
    }
    if (this.size + d.length - 1 > this.maxFrameBytes) {
      if (!this.afterDrop) this.stats.dropped++; // the frame this slice belongs to cannot fit
      this.reset();
      return undefined;
    }
    this.parts.push(d.subarray(1));
    this.size += d.length - 1;
    if (k > 1) {
      this.next = k - 1;
      return undefined;
    }
    const jpeg = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.reset();
    const size = isWholeJpeg(jpeg) && entropyFits(jpeg) !== false ? jpegSize(jpeg) : undefined;
    if (!size) {
      if (!this.afterDrop) this.stats.dropped++;
      return undefined;
    }
    this.stats.frames++;
    return { kind: 'jpeg', jpeg, width: size.width, height: size.height };
  }

  /** pending is how many bytes of an unfinished frame are held. */
  get pending(): number {
    return this.size;
  }

  private drop(): void {
    if (this.next !== 0 && !this.afterDrop) this.stats.dropped++;
    this.justDropped = true;
    this.reset();
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.next = 0;
  }
}
