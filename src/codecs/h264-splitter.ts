/**
 * h264-splitter: cuts an H.264 Annex B byte stream (ffmpeg `-f h264`, a `.h264` file) into
 * access units, incrementally (§7.4.1.2.3 "order of NAL units and coded pictures").
 *
 * A new access unit begins at the first of these after a coded slice of the current one:
 * an access unit delimiter, SPS, PPS, SEI, NAL types 14–18, or a slice whose
 * first_mb_in_slice is 0 (the first slice of the next picture).
 *
 * ```
 * … 00 00 00 01 [AUD] 00 00 01 [SPS] 00 00 01 [PPS] 00 00 01 [IDR slice] 00 00 00 01 [AUD] …
 *               └──────────────── one access unit ────────────────────┘ └─ the next ──
 * ```
 *
 * Note the cost of the format: an access unit is only known to be complete when the next one
 * starts, one frame interval later. Live ffmpeg output is therefore read as FLV, whose tags
 * carry their length (see flv-demuxer.ts); this splitter serves Annex B files and streams.
 *
 * Memory is bounded: an access unit larger than `maxBytes` is dropped (counted in `oversized`)
 * and the splitter waits for the next access-unit boundary.
 */
import { firstMbInSlice, isVcl, NalType, nalType } from './h264-nal.js';
import { joinAnnexB } from './h264-join.js';
import type { SplitUnit, Splitter } from './splitter.js';

// Bytes kept of a NAL dropped as oversized: its header and first_mb_in_slice.
const CUT_HEAD_BYTES = 16;

/** H264Splitter is the incremental Annex B access-unit Splitter; see the file comment. */
export class H264Splitter implements Splitter {
  oversized = 0;
  private zeros = 0;
  private inNal = false;
  private nalParts: Buffer[] = [];
  private nalSize = 0;
  private nalFirstUs = 0;
  private au: Buffer[] = [];
  private auSize = 0;
  private auFirstUs = 0;
  private auHasVcl = false;
  private skipping = false;
  private nalCut = false;
  private cutHead = Buffer.alloc(0);

  /** maxBytes: the largest access unit accepted (Config.maxFrameBytes). */
  constructor(private readonly maxBytes: number) {}

  /** push consumes `chunk` and returns the access units it completes. */
  push(chunk: Buffer, nowUs: number): SplitUnit[] {
    const out: SplitUnit[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i];
      if (v === 0) {
        this.zeros++;
        continue;
      }
      if (v === 1 && this.zeros >= 2) {
        // A start code ends here: the NAL in progress ends `zeros` bytes before this 01.
        if (this.inNal) this.endNal(chunk.subarray(start, i + 1), this.zeros + 1, out);
        this.inNal = true;
        this.nalFirstUs = nowUs;
        start = i + 1;
      }
      this.zeros = 0;
    }
    if (this.inNal && start < chunk.length && !this.nalCut) {
      this.nalParts.push(chunk.subarray(start));
      this.nalSize += chunk.length - start;
      if (this.nalSize > this.maxBytes) {
        // One NAL alone is too large: keep its first bytes (type, first_mb_in_slice), drop the rest.
        this.nalCut = true;
        this.cutHead = Buffer.from(Buffer.concat(this.nalParts).subarray(0, CUT_HEAD_BYTES));
        this.nalParts = [];
        this.nalSize = 0;
      }
    }
    return out;
  }

  /** end returns the last access unit (at end of stream nothing more can belong to it). */
  end(): SplitUnit[] {
    const out: SplitUnit[] = [];
    if (this.inNal) this.endNal(Buffer.alloc(0), this.zeros, out);
    this.inNal = false;
    this.zeros = 0;
    this.finishAu(out);
    return out;
  }

  private endNal(tail: Buffer, strip: number, out: SplitUnit[]): void {
    if (this.nalCut) {
      this.nalCut = false;
      return this.addNal(this.cutHead, out, true);
    }
    this.nalParts.push(tail);
    this.nalSize += tail.length;
    const whole = this.nalParts.length === 1 ? this.nalParts[0] : Buffer.concat(this.nalParts, this.nalSize);
    const nal = whole.subarray(0, Math.max(0, whole.length - strip));
    this.nalParts = [];
    this.nalSize = 0;
    if (nal.length > 0) this.addNal(nal, out);
  }

  /** addNal places a complete NAL (or the head of one cut as oversized) into access units. */
  private addNal(nal: Buffer, out: SplitUnit[], cut = false): void {
    const t = nalType(nal);
    const vcl = isVcl(t);
    const opensAu = t === NalType.AUD || t === NalType.SPS || t === NalType.PPS || t === NalType.SEI || (t >= 14 && t <= 18) || (vcl && firstMbInSlice(nal) === 0);
    if (opensAu && (this.auHasVcl || this.skipping)) {
      this.finishAu(out);
      this.skipping = false;
    }
    if (cut) return this.dropOversized();
    if (this.skipping) return;
    if (this.au.length === 0) this.auFirstUs = this.nalFirstUs;
    this.au.push(nal);
    this.auSize += 4 + nal.length;
    if (vcl) this.auHasVcl = true;
    if (this.auSize > this.maxBytes) this.dropOversized();
  }

  private finishAu(out: SplitUnit[]): void {
    if (this.au.length > 0 && this.auHasVcl && !this.skipping) out.push({ payload: joinAnnexB(this.au), firstByteUs: this.auFirstUs });
    this.au = [];
    this.auSize = 0;
    this.auHasVcl = false;
  }

  private dropOversized(): void {
    if (!this.skipping) this.oversized++;
    this.skipping = true;
    this.au = [];
    this.auSize = 0;
    this.auHasVcl = false;
  }
}
