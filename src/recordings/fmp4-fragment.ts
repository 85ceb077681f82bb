/**
 * fmp4-fragment: one fragment of a fragmented MP4 file — a wall-clock stamp, the sample table
 * and the sample bytes. A file of `initSegment` + fragments plays while it grows, and a crash
 * loses at most the fragment being written (each fragment is complete on its own). Pure.
 *
 * ```
 * prft  reference track 1 | NTP wall clock u64 | media time u64      (ISO 14496-12 §8.16.5)
 * moof ─ mfhd (sequence) ─ traf ─ tfhd (track 1, base = moof)
 *                              ├ tfdt  base media decode time u64
 *                              └ trun  data_offset | per sample: duration, size, flags
 * mdat  sample bytes, back to back
 * ```
 */
import { box, fullBox, ntpFromUs, u32, u64 } from './mp4-box.js';
import { TRACK_ID } from './fmp4-init.js';

/** Sample is one picture in a fragment; duration in TIMESCALE units. */
export interface Sample {
  data: Buffer;
  duration: number;
  keyframe: boolean;
}

/** FragmentHead places a fragment in time: media time of its first sample and its wall clock. */
export interface FragmentHead {
  /** sequence: 1, 2, 3 … within the file. */
  sequence: number;
  /** decodeTime: media time (TIMESCALE) of the first sample since the start of the file. */
  decodeTime: number;
  /** wallUs: wall-clock capture time of the first sample, Unix µs. */
  wallUs: number;
}

// Sample flags (§8.8.3.1): a sync sample depends on nothing; others depend on earlier pictures
// and are marked non-sync, so players seek to keyframes only.
const SYNC_FLAGS = 0x02000000;
const NON_SYNC_FLAGS = 0x01010000;
// trun flags: data-offset, sample-duration, sample-size and sample-flags present.
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400;
// tfhd flags: default-base-is-moof, so data_offset counts from the moof's first byte.
const TFHD_FLAGS = 0x020000;

/** fragment returns prft + moof + mdat for `samples` (at least one). */
export function fragment(head: FragmentHead, samples: readonly Sample[]): Buffer {
  const prft = fullBox('prft', 1, 0, u32(TRACK_ID), ntpFromUs(head.wallUs), u64(head.decodeTime));
  const entries = samples.map((s) => Buffer.concat([u32(s.duration), u32(s.data.length), u32(s.keyframe ? SYNC_FLAGS : NON_SYNC_FLAGS)]));
  const build = (dataOffset: number) =>
    box(
      'moof',
      fullBox('mfhd', 0, 0, u32(head.sequence)),
      box('traf', fullBox('tfhd', 0, TFHD_FLAGS, u32(TRACK_ID)), fullBox('tfdt', 1, 0, u64(head.decodeTime)), fullBox('trun', 0, TRUN_FLAGS, u32(samples.length), u32(dataOffset), ...entries)),
    );
  const moofLength = build(0).length; // the offset field has a fixed size, so one dry run sizes it
  const moof = build(moofLength + 8);
  return Buffer.concat([prft, moof, box('mdat', ...samples.map((s) => s.data))]);
}
