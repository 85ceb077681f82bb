/**
 * export: a span of a stream's recording as one fragmented MP4, remuxed from the segments'
 * own fragments — no decoding, no re-encoding. The clip starts at the last keyframe at or before
 * `from` (a decoder needs one) and ends with the last picture before `to`; a hole in the
 * recording stays a hole in the clip's timeline, so clip time is wall-clock time since its start.
 *
 * Events (motion) ask for [t - preRoll, t + postRoll] through the same call.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createError } from '../util/errors.js';
import { fragment, type Sample } from './fmp4-fragment.js';
import { initSegment } from './fmp4-init.js';
import { scanSegmentFile, type FragmentRef } from './fmp4-reader.js';
import type { RecordingStore, SegmentInfo } from './store.js';
import { sameTrack, TIMESCALE, type Track } from './track.js';
import { holdForReading } from './reading.js';

/** ClipInfo describes an exported clip. */
export interface ClipInfo {
  track: Track;
  startUs: number;
  endUs: number;
  frames: number;
}

/** MAX_CLIP_SPAN_US: one export covers at most 24 h, so a typo in --to cannot fill a disk with one file. */
export const MAX_CLIP_SPAN_US = 24 * 3600e6;

/**
 * exportClip yields the clip of `stream` over [fromUs, toUs) as fMP4 chunks (init first, then
 * one fragment per source fragment), and fills `info` as it goes. Throws CAMWIRE_ERR_NO_RECORDING
 * when nothing is recorded in the span.
 */
export async function* exportClip(store: RecordingStore, stream: string, fromUs: number, toUs: number, info: Partial<ClipInfo> = {}): AsyncGenerator<Buffer> {
  if (!(toUs > fromUs)) throw createError('CAMWIRE_ERR_CONFIG', 'the end of a clip must come after its start');
  if (toUs - fromUs > MAX_CLIP_SPAN_US) throw createError('CAMWIRE_ERR_CONFIG', `a clip may span at most ${MAX_CLIP_SPAN_US / 3600e6} h; export longer spans in parts`);
  const segs = await store.list(stream, fromUs, toUs);
  // Retention in this process passes these files over until the clip is done (reading.ts).
  const release = holdForReading(segs.map((s) => s.path));
  try {
    yield* remux(segs, stream, fromUs, toUs, info);
  } finally {
    release();
  }
}

async function* remux(segs: readonly SegmentInfo[], stream: string, fromUs: number, toUs: number, info: Partial<ClipInfo>): AsyncGenerator<Buffer> {
  const scans = [];
  for (const seg of segs) {
    const scan = await scanSegmentFile(seg.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined; // deleted after the index was read: a hole in the clip
      throw e;
    });
    if (!scan) continue;
    if (scans.length > 0 && !sameTrack(scans[0].scan.track, scan.track)) break; // the stream changed format: the clip ends there
    scans.push({ path: seg.path, scan });
  }
  const start = startOf(scans.map((x) => x.scan.fragments), fromUs);
  if (!start) throw createError('CAMWIRE_ERR_NO_RECORDING', `nothing recorded for "${stream}" between ${new Date(fromUs / 1000).toISOString()} and ${new Date(toUs / 1000).toISOString()}`);
  const track = scans[0].scan.track;
  info.track = track;
  info.frames = 0;
  let sequence = 0;
  for (let si = start.seg; si < scans.length; si++) {
    const fh = await open(scans[si].path, 'r');
    try {
      const frags = scans[si].scan.fragments;
      for (let fi = si === start.seg ? start.frag : 0; fi < frags.length; fi++) {
        const frag = frags[fi];
        const first = si === start.seg && fi === start.frag ? start.sample : 0;
        let at = frag.wallUs;
        const samples: Sample[] = [];
        let firstAt = 0;
        for (let k = 0; k < frag.samples.length; k++, at += (frag.samples[k - 1].duration * 1e6) / TIMESCALE) {
          const ref = frag.samples[k];
          if (k < first) continue;
          if (at >= toUs) break;
          if (samples.length === 0) firstAt = at;
          samples.push({ data: await readAt(fh, ref.offset, ref.size), duration: ref.duration, keyframe: ref.keyframe });
          info.endUs = at + (ref.duration * 1e6) / TIMESCALE;
        }
        if (samples.length === 0) return;
        if (sequence === 0) {
          info.startUs = firstAt;
          yield initSegment(track, firstAt);
        }
        yield fragment({ sequence: ++sequence, decodeTime: Math.round(((firstAt - info.startUs!) * TIMESCALE) / 1e6), wallUs: firstAt }, samples);
        info.frames += samples.length;
        if (samples.length < frag.samples.length - first) return; // reached `to`
      }
    } finally {
      await fh.close();
    }
  }
}

/** startOf finds the newest keyframe at or before `fromUs`, else the first keyframe after it. */
function startOf(segments: FragmentRef[][], fromUs: number): { seg: number; frag: number; sample: number } | undefined {
  let best: { seg: number; frag: number; sample: number } | undefined;
  for (let si = 0; si < segments.length; si++) {
    for (let fi = 0; fi < segments[si].length; fi++) {
      const frag = segments[si][fi];
      let at = frag.wallUs;
      for (let k = 0; k < frag.samples.length; k++) {
        if (frag.samples[k].keyframe) {
          if (at > fromUs) return best ?? { seg: si, frag: fi, sample: k };
          best = { seg: si, frag: fi, sample: k };
        }
        at += (frag.samples[k].duration * 1e6) / TIMESCALE;
      }
    }
  }
  return best;
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  if (bytesRead !== len) throw createError('CAMWIRE_ERR_BAD_RECORDING', 'a segment is shorter than its sample table says');
  return b;
}
