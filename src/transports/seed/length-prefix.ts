/**
 * length-prefix: the framing every TCP seed program uses, as an incremental state machine (pure).
 *
 * ```
 * u32be:  [u32 big-endian N][N bytes]      cv2-stream (000), the pickle-jpeg programs (002, 003)
 * u64le:  [u64 little-endian N][N bytes]   Socket-Video-Streaming (004, Python struct "Q")
 * ```
 * The declared N is compared with maxFrameBytes as soon as the prefix is complete, before one body
 * byte is buffered; a u64 above 2^53 (not exactly representable) is refused the same way. So held
 * input never exceeds one allowed body plus one chunk. The loop itself is codecs/framed-reader's,
 * shared with camwire's own TCP decoder.
 */
import { FramedReader } from '../../codecs/framed-reader.js';
import { createError } from '../../util/errors.js';

/** Prefix names a length prefix layout. */
export type Prefix = 'u32be' | 'u64le';

/** PREFIX_BYTES gives each prefix's size. */
export const PREFIX_BYTES: Record<Prefix, number> = { u32be: 4, u64le: 8 };

/** writePrefix returns the prefix announcing `n` body bytes. */
export function writePrefix(prefix: Prefix, n: number): Buffer {
  const b = Buffer.alloc(PREFIX_BYTES[prefix]);
  if (prefix === 'u32be') b.writeUInt32BE(n);
  else b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** LengthPrefixDecoder splits a byte stream into bodies; it throws a typed error on the first violation. */
export class LengthPrefixDecoder {
  private readonly reader: FramedReader<Buffer>;

  /** `format` names the wire format in error messages. */
  constructor(
    private readonly prefix: Prefix,
    private readonly maxFrameBytes: number,
    private readonly format: string,
  ) {
    this.reader = new FramedReader({ headerBytes: PREFIX_BYTES[prefix], header: (h) => this.readPrefix(h), body: (b) => b });
  }

  /** bufferedBytes is how much unparsed input is held (bounded; see the file comment). */
  get bufferedBytes(): number {
    return this.reader.bufferedBytes;
  }

  /** midMessage tells whether a message has started and not finished. */
  get midMessage(): boolean {
    return this.reader.midMessage;
  }

  /** push consumes `chunk` and returns the bodies it completes. */
  push(chunk: Buffer): Buffer[] {
    return this.reader.push(chunk);
  }

  /** end checks that the input stopped between messages (CAMWIRE_ERR_TRUNCATED if not). */
  end(): void {
    this.reader.end(`${this.format}: `);
  }

  private readPrefix(h: Buffer): number {
    let n: number;
    if (this.prefix === 'u32be') n = h.readUInt32BE(0);
    else {
      const hi = h.readUInt32LE(4);
      // 2^53 = 2^21 · 2^32: from here on a double no longer holds every integer.
      if (hi >= 2 ** 21) throw tooLarge(this.format, h.readBigUInt64LE(0).toString(), this.maxFrameBytes);
      n = hi * 2 ** 32 + h.readUInt32LE(0);
    }
    if (n > this.maxFrameBytes) throw tooLarge(this.format, String(n), this.maxFrameBytes);
    return n;
  }
}

function tooLarge(format: string, n: string, max: number) {
  return createError('CAMWIRE_ERR_FRAME_TOO_LARGE', `${format}: declared message of ${n} bytes exceeds maxFrameBytes ${max}`);
}
