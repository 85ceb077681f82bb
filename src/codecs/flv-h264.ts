/**
 * flv-h264: reads the H.264 video of an FLV byte stream (ffmpeg `-f flv pipe:1`) and hands out
 * each tag's picture as an Annex B access unit. Pure, incremental, bounded.
 *
 * Why FLV and not raw Annex B: every FLV tag declares its length, so an access unit is complete
 * the moment its last byte arrives. Raw Annex B only ends at the next start code, one frame
 * interval later (see h264-splitter.ts).
 *
 * ```
 * header   'F' 'L' 'V' | version u8 | flags u8 | data offset u32 BE (9) | prev tag size u32 (0)
 * tag      type u8 | data size u24 | timestamp u24 | ts ext u8 | stream id u24 | data | prev u32
 *          type 9 = video, 8 = audio, 18 = script (metadata); only video is read
 * video    frame type u4 (1 = key) | codec id u4 (7 = AVC) | AVC packet type u8 | cts s24 | body
 *          packet type 0: AVCDecoderConfigurationRecord
 *              version u8 | profile u8 | compat u8 | level u8 | 0xFC|lengthSize-1 | 0xE0|numSps
 *              (len u16, SPS)* | numPps u8 | (len u16, PPS)*
 *          packet type 1: NAL units, each (len u8..u32 BE, NAL); 2: end of sequence
 * ```
 *
 * The configuration record's SPS/PPS come out as a unit of their own (no picture), so an
 * H264Framer learns them and can put them into keyframes that lack them.
 */
import { createError } from '../util/errors.js';
import { ChunkQueue } from './chunk-queue.js';
import { joinAnnexB } from './h264-join.js';
import type { SplitUnit, Splitter } from './splitter.js';

const FLV_HEADER_BYTES = 9;
/** MAX_FLV_DATA_OFFSET: ffmpeg writes 9; anything far beyond is not FLV. */
const MAX_FLV_DATA_OFFSET = 1024;
const TAG_HEADER_BYTES = 11;
const PREV_TAG_SIZE_BYTES = 4;
const TAG_VIDEO = 9;
const CODEC_AVC = 7;

const enum S {
  Header,
  TagHeader,
  TagBody,
}

/** FlvH264Splitter is the incremental FLV → Annex B Splitter; it throws a typed error on bad input. */
export class FlvH264Splitter implements Splitter {
  oversized = 0;
  private readonly q = new ChunkQueue();
  private state = S.Header;
  private need = FLV_HEADER_BYTES;
  private tagType = 0;
  private tagStartUs = 0;
  private lengthSize = 4;

  /** maxBytes: the largest tag accepted (Config.maxFrameBytes), checked before buffering it. */
  constructor(private readonly maxBytes: number) {}

  /** push consumes `chunk` and returns the access units (and parameter-set units) it completes. */
  push(chunk: Buffer, nowUs: number): SplitUnit[] {
    if (this.q.length === 0) this.tagStartUs = nowUs;
    this.q.push(chunk);
    const out: SplitUnit[] = [];
    while (this.q.length >= this.need) {
      const b = this.q.take(this.need);
      if (this.state === S.Header) {
        if (b[0] !== 0x46 || b[1] !== 0x4c || b[2] !== 0x56) throw createError('CAMWIRE_ERR_BAD_FRAME', 'ffmpeg output is not FLV (no "FLV" signature)');
        const offset = b.readUInt32BE(5);
        if (offset < FLV_HEADER_BYTES || offset > MAX_FLV_DATA_OFFSET) throw createError('CAMWIRE_ERR_BAD_FRAME', `FLV data offset ${offset} out of range`);
        this.state = S.TagBody; // skip the rest of the header and PreviousTagSize0 like a tag body
        this.tagType = 0;
        this.need = offset - FLV_HEADER_BYTES + PREV_TAG_SIZE_BYTES;
      } else if (this.state === S.TagHeader) {
        this.tagType = b[0] & 0x1f;
        const size = b.readUIntBE(1, 3);
        if (size > this.maxBytes) {
          throw createError('CAMWIRE_ERR_FRAME_TOO_LARGE', `FLV tag of ${size} bytes exceeds maxFrameBytes ${this.maxBytes}`);
        }
        this.state = S.TagBody;
        this.need = size + PREV_TAG_SIZE_BYTES;
      } else {
        if (this.tagType === TAG_VIDEO) this.video(b.subarray(0, b.length - PREV_TAG_SIZE_BYTES), out);
        this.state = S.TagHeader;
        this.need = TAG_HEADER_BYTES;
        this.tagStartUs = nowUs; // what is left came with this chunk
      }
    }
    return out;
  }

  /** end: an FLV tag cut off by the end of the stream is incomplete and dropped. */
  end(): SplitUnit[] {
    this.q.clear();
    return [];
  }

  private video(d: Buffer, out: SplitUnit[]): void {
    if (d.length < 5) return; // an empty tag carries nothing
    if ((d[0] & 0x0f) !== CODEC_AVC) throw createError('CAMWIRE_ERR_BAD_FRAME', `FLV video codec id ${d[0] & 0x0f} is not H.264`);
    const packetType = d[1];
    const body = d.subarray(5);
    if (packetType === 0) {
      const nals = this.config(body);
      if (nals.length > 0) out.push({ payload: joinAnnexB(nals), firstByteUs: this.tagStartUs });
    } else if (packetType === 1) {
      const nals = this.lengthPrefixed(body);
      if (nals.length > 0) out.push({ payload: joinAnnexB(nals), firstByteUs: this.tagStartUs });
    }
  }

  private config(b: Buffer): Buffer[] {
    const bad = () => createError('CAMWIRE_ERR_BAD_FRAME', 'malformed AVC decoder configuration record in FLV');
    if (b.length < 6 || b[0] !== 1) throw bad();
    this.lengthSize = (b[4] & 0x03) + 1;
    if (this.lengthSize === 3) throw bad();
    const nals: Buffer[] = [];
    let o = 5;
    for (const countMask of [0x1f, 0xff]) {
      if (o >= b.length) throw bad();
      const count = b[o++] & countMask;
      for (let i = 0; i < count; i++) {
        if (o + 2 > b.length) throw bad();
        const len = b.readUInt16BE(o);
        o += 2;
        if (o + len > b.length) throw bad();
        nals.push(b.subarray(o, o + len));
        o += len;
      }
    }
    return nals;
  }

  private lengthPrefixed(b: Buffer): Buffer[] {
    const nals: Buffer[] = [];
    let o = 0;
    while (o < b.length) {
      if (o + this.lengthSize > b.length) throw createError('CAMWIRE_ERR_BAD_FRAME', 'truncated NAL length in FLV video tag');
      const len = b.readUIntBE(o, this.lengthSize);
      o += this.lengthSize;
      if (o + len > b.length) throw createError('CAMWIRE_ERR_BAD_FRAME', `NAL length ${len} runs past the FLV video tag`);
      if (len > 0) nals.push(b.subarray(o, o + len));
      o += len;
    }
    return nals;
  }
}
