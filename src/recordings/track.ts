/**
 * track: what a recording segment's one video track is — codec, size and, for H.264, the
 * parameter sets — and how a Frame's payload becomes an MP4 sample. Pure, no I/O.
 *
 * MP4 stores H.264 as length-prefixed NAL units ("AVCC") with the SPS and PPS once in the sample
 * entry (avcC), not as an Annex B byte stream; JPEG pictures are stored as they are.
 */
import type { Codec, Frame } from '../frame/frame.js';
import { NalType, nalType, splitAnnexB } from '../codecs/h264-nal.js';

/** Track describes the video of one segment; a segment is cut when any of it changes. */
export interface Track {
  codec: Codec;
  width: number;
  height: number;
  /** sps / pps: the H.264 parameter sets (NAL units with header), empty for MJPEG. */
  sps: Buffer;
  pps: Buffer;
}

/** TIMESCALE: media time units per second; 90 kHz as in RTP and MPEG-TS, exact for 25/30/50/60 fps. */
export const TIMESCALE = 90000;

/** trackOf returns the Track of a keyframe, or undefined for an H.264 keyframe without SPS/PPS. */
export function trackOf(f: Frame): Track | undefined {
  if (f.codec === 'mjpeg') return { codec: 'mjpeg', width: f.width, height: f.height, sps: Buffer.alloc(0), pps: Buffer.alloc(0) };
  const nals = splitAnnexB(f.payload);
  const sps = nals.find((n) => nalType(n) === NalType.SPS);
  const pps = nals.find((n) => nalType(n) === NalType.PPS);
  if (!sps || !pps || sps.length < 4) return undefined;
  return { codec: 'h264', width: f.width, height: f.height, sps: Buffer.from(sps), pps: Buffer.from(pps) };
}

/** sameTrack tells whether two tracks can share one segment (one sample entry). */
export function sameTrack(a: Track, b: Track): boolean {
  return a.codec === b.codec && a.width === b.width && a.height === b.height && a.sps.equals(b.sps) && a.pps.equals(b.pps);
}

// Parameter sets live in avcC; access unit delimiters and filler carry nothing a player needs.
const OUT_OF_BAND = new Set<number>([NalType.SPS, NalType.PPS, NalType.AUD, NalType.FILLER]);

/** sampleOf turns a frame's payload into MP4 sample bytes (AVCC for H.264, the JPEG as is). */
export function sampleOf(f: Frame): Buffer {
  if (f.codec === 'mjpeg') return f.payload;
  const nals = splitAnnexB(f.payload).filter((n) => !OUT_OF_BAND.has(nalType(n)));
  const parts: Buffer[] = [];
  for (const n of nals) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(n.length, 0);
    parts.push(len, n);
  }
  return Buffer.concat(parts);
}
