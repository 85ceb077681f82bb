/**
 * h264-framer: turns H.264 access units (Annex B) into what a Frame promises: the keyframe flag
 * set exactly on IDR access units, SPS and PPS inside every keyframe (so a viewer can start
 * decoding there), and the picture size from the SPS.
 *
 * Encoders and IP cameras differ: some repeat SPS/PPS before every IDR, some send them once
 * (or only out of band, in RTSP's SDP or an FLV/MP4 header). The framer remembers the newest
 * SPS and PPS it saw and inserts them into any IDR access unit that lacks them.
 */
import { isVcl, NalType, nalType, splitAnnexB } from './h264-nal.js';
import { joinAnnexB } from './h264-join.js';
import { parseSps, type Sps } from './h264-sps.js';

/** H264Picture is one access unit ready to become a Frame. */
export interface H264Picture {
  payload: Buffer;
  keyframe: boolean;
  width: number;
  height: number;
}

/** H264Framer keeps the parameter sets between access units; see the file comment. */
export class H264Framer {
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;
  private parsed: Sps | undefined;

  /** spsInfo is the newest parsed SPS (profile, level, size), if one was seen. */
  get spsInfo(): Sps | undefined {
    return this.parsed;
  }

  /**
   * frame inspects one access unit. It returns undefined for a unit without a picture
   * (parameter sets only: they are remembered) and for pictures before the first SPS
   * (their size is unknown and nothing could decode them).
   */
  frame(au: Buffer): H264Picture | undefined {
    const nals = splitAnnexB(au);
    let hasSps = false;
    let hasPps = false;
    let hasIdr = false;
    let firstVcl = -1;
    nals.forEach((n, i) => {
      const t = nalType(n);
      if (t === NalType.SPS) {
        const p = parseSps(n);
        if (p) {
          hasSps = true;
          this.sps = Buffer.from(n);
          this.parsed = p;
        }
      } else if (t === NalType.PPS) {
        hasPps = true;
        this.pps = Buffer.from(n);
      } else if (isVcl(t)) {
        if (firstVcl < 0) firstVcl = i;
        if (t === NalType.IDR) hasIdr = true;
      }
    });
    if (firstVcl < 0 || !this.parsed) return undefined;
    let payload = au;
    if (hasIdr && (!hasSps || !hasPps) && this.sps && this.pps) {
      const add = [...(hasSps ? [] : [this.sps]), ...(hasPps ? [] : [this.pps])];
      payload = joinAnnexB([...nals.slice(0, firstVcl), ...add, ...nals.slice(firstVcl)]);
      hasSps = hasPps = true;
    }
    return { payload, keyframe: hasIdr && hasSps && hasPps, width: this.parsed.width, height: this.parsed.height };
  }
}
