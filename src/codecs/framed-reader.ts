/**
 * framed-reader: the one incremental loop of every length-prefixed TCP wire camwire reads (pure):
 * a fixed-size header that declares a body length, then that many body bytes. camwire's own
 * protocol (transports/tcp/decoder) and the old programs' framings (transports/seed/length-prefix)
 * differ only in how a header is read, so each supplies that and this file does the rest.
 *
 * The format's `header()` sees a complete header and returns the declared body length, throwing a
 * typed error for a violation (a length above its limit included) before a single body byte is
 * buffered; so held input never exceeds one allowed body plus one chunk. After the first error the
 * reader holds nothing and ignores further input.
 */
import { createError } from '../util/errors.js';
import { ChunkQueue } from './chunk-queue.js';

/** FramedFormat says how one wire reads its header and turns a body into a message. */
export interface FramedFormat<T> {
  /** headerBytes is the fixed header size. */
  readonly headerBytes: number;
  /** header checks a complete header and returns the body length it declares (throws a typed error on a violation). */
  header(h: Buffer): number;
  /** body turns a complete body into a message (throws a typed error on a violation). */
  body(b: Buffer): T;
}

/** FramedReader splits a byte stream into messages of one FramedFormat; see the file comment. */
export class FramedReader<T> {
  private readonly q = new ChunkQueue();
  /** bodyBytes: the declared length of the body being read, or -1 between messages. */
  private bodyBytes = -1;
  private failed = false;

  constructor(private readonly format: FramedFormat<T>) {}

  /** bufferedBytes is how much unparsed input is held (bounded; see the file comment). */
  get bufferedBytes(): number {
    return this.q.length;
  }

  /** midMessage tells whether a message has started and not finished. */
  get midMessage(): boolean {
    return this.bodyBytes >= 0 || this.q.length > 0;
  }

  /**
   * push consumes `chunk` and returns the messages it completes, at most `max` of them: the rest
   * stays buffered for the next push (camwire's handshake judges one message before the next
   * header is read). An empty chunk is fine.
   */
  push(chunk: Buffer, max = Infinity): T[] {
    if (this.failed) return [];
    this.q.push(chunk);
    const out: T[] = [];
    try {
      while (out.length < max) {
        if (this.bodyBytes < 0) {
          if (this.q.length < this.format.headerBytes) break;
          this.bodyBytes = this.format.header(this.q.take(this.format.headerBytes));
        }
        if (this.q.length < this.bodyBytes) break;
        const body = this.q.take(this.bodyBytes);
        this.bodyBytes = -1;
        out.push(this.format.body(body));
      }
    } catch (e) {
      this.failed = true;
      this.q.clear();
      throw e;
    }
    return out;
  }

  /** end checks that the input stopped between messages: CAMWIRE_ERR_TRUNCATED (with `what` saying whose) if not. */
  end(what: string): void {
    if (this.failed || !this.midMessage) return;
    throw createError('CAMWIRE_ERR_TRUNCATED', `${what}connection closed mid-message (${this.q.length} bytes of it held)`);
  }
}
