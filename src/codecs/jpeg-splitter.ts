/**
 * jpeg-splitter: cuts a byte stream of back-to-back JPEGs (ffmpeg `-f mjpeg`, an MJPEG file,
 * a camera passed through) into whole pictures, incrementally and without decoding.
 *
 * Searching for FF D9 is wrong: FF D9 may sit inside a segment (an EXIF thumbnail in APP1, a
 * comment). So the splitter walks the structure:
 *
 * ```
 * FF D8                          SOI: a picture starts (anything before it is skipped)
 * FF xx LL LL <LL-2 bytes>       header segments, length includes itself: skipped by length
 * FF D0..D7, FF 01               markers without a length
 * FF DA LL LL <header>           SOS, then entropy-coded data in which
 *    FF 00                         is a stuffed 0xFF data byte,
 *    FF D0..D7                     a restart marker,
 *    FF FF                         fill,
 *    FF D9                         EOI: the picture ends here,
 *    FF other                      a new segment (progressive JPEGs have several scans)
 * ```
 *
 * A picture cut off inside its scan data is dropped when the next SOI shows up there; one cut
 * off inside a header segment swallows the next picture (nothing marks the cut), and the
 * splitter is back in step after that.
 *
 * Memory is bounded: a picture that grows past `maxBytes` is dropped (counted in `oversized`)
 * and the splitter skips to the next SOI.
 */

import type { SplitUnit, Splitter } from './splitter.js';

const SOI_FF = Buffer.from([0xff]);

const enum S {
  SeekFF, // looking for the FF of SOI
  SeekD8, // saw FF, expecting D8
  Marker, // expecting FF (fill FFs allowed) then a marker byte
  MarkerCode, // saw FF, expecting the marker byte
  LenHi,
  LenLo,
  Skip, // skipping a segment body
  Entropy, // entropy-coded data after SOS
  EntropyFF, // saw FF inside entropy-coded data
}

/** JpegSplitter is the incremental JPEG Splitter; see the file comment. */
export class JpegSplitter implements Splitter {
  oversized = 0;
  private state = S.SeekFF;
  private parts: Buffer[] = [];
  private size = 0;
  private firstByteUs = 0;
  private marker = 0;
  private len = 0;
  private skip = 0;

  /** maxBytes: the largest picture accepted (Config.maxFrameBytes). */
  constructor(private readonly maxBytes: number) {}

  /** push consumes `chunk` and returns the pictures it completes. */
  push(chunk: Buffer, nowUs: number): SplitUnit[] {
    const out: SplitUnit[] = [];
    let start = 0; // where the current picture's bytes begin in this chunk
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case S.SeekFF: {
          const at = chunk.indexOf(0xff, i);
          if (at < 0) {
            i = n;
            break;
          }
          i = at + 1;
          start = at;
          this.state = S.SeekD8;
          this.firstByteUs = nowUs;
          break;
        }
        case S.SeekD8:
          if (chunk[i] === 0xd8) {
            this.state = S.Marker;
            i++;
          } else if (chunk[i] === 0xff) {
            this.dropCurrent(); // FF FF D8: the picture starts at the last FF
            this.firstByteUs = nowUs;
            start = i++;
          } else {
            this.reset();
            i++;
          }
          break;
        case S.Marker:
          if (chunk[i] !== 0xff) {
            this.reset(); // not a JPEG structure: resynchronise at the next SOI
            start = i;
            break;
          }
          this.state = S.MarkerCode;
          i++;
          break;
        case S.MarkerCode: {
          const m = chunk[i++];
          if (m === 0xff) break; // fill byte
          if (m === 0xd9) {
            this.emit(chunk, start, i, out);
            start = i;
          } else if (m === 0xd8) {
            start = this.restartAt(i, nowUs);
          } else if ((m >= 0xd0 && m <= 0xd7) || m === 0x01) {
            this.state = S.Marker;
          } else {
            this.marker = m;
            this.state = S.LenHi;
          }
          break;
        }
        case S.LenHi:
          this.len = chunk[i++] << 8;
          this.state = S.LenLo;
          break;
        case S.LenLo:
          this.len |= chunk[i++];
          if (this.len < 2) {
            this.reset();
            start = i;
            break;
          }
          this.skip = this.len - 2;
          this.state = S.Skip;
          break;
        case S.Skip: {
          const take = Math.min(this.skip, n - i);
          i += take;
          this.skip -= take;
          if (this.skip === 0) this.state = this.marker === 0xda ? S.Entropy : S.Marker;
          break;
        }
        case S.Entropy: {
          const at = chunk.indexOf(0xff, i);
          if (at < 0) {
            i = n;
            break;
          }
          i = at + 1;
          this.state = S.EntropyFF;
          break;
        }
        case S.EntropyFF: {
          const m = chunk[i++];
          if (m === 0x00 || (m >= 0xd0 && m <= 0xd7)) this.state = S.Entropy;
          else if (m === 0xff) this.state = S.EntropyFF;
          else if (m === 0xd9) {
            this.emit(chunk, start, i, out);
            start = i;
          } else if (m === 0xd8) {
            start = this.restartAt(i, nowUs);
          } else {
            this.marker = m;
            this.state = S.LenHi;
          }
          break;
        }
      }
      if (this.state !== S.SeekFF && this.size + (i - start) > this.maxBytes) {
        this.oversized++;
        this.reset();
        start = i;
      }
    }
    if (this.state !== S.SeekFF && start < n) this.keep(chunk.subarray(start, n));
    return out;
  }

  /** end drops a picture cut off by the end of the stream (a JPEG needs its EOI). */
  end(): SplitUnit[] {
    this.reset();
    return [];
  }

  private keep(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private emit(chunk: Buffer, start: number, end: number, out: SplitUnit[]): void {
    this.keep(chunk.subarray(start, end));
    const payload = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    out.push({ payload, firstByteUs: this.firstByteUs });
    this.reset();
  }

  /**
   * restartAt handles an SOI inside a picture (the previous one was cut off): the picture so
   * far is dropped and a new one starts at the SOI whose D8 is at `i - 1`; returns its start.
   */
  private restartAt(i: number, nowUs: number): number {
    this.dropCurrent();
    this.firstByteUs = nowUs;
    this.state = S.Marker;
    if (i >= 2) return i - 2;
    this.keep(SOI_FF); // the FF came with the previous chunk
    return i - 1;
  }

  private dropCurrent(): void {
    this.parts = [];
    this.size = 0;
  }

  private reset(): void {
    this.dropCurrent();
    this.state = S.SeekFF;
  }
}
