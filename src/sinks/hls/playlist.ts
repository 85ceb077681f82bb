/**
 * playlist: the LL-HLS media playlist of one stream (pure; RFC 8216bis, Apple's LL-HLS).
 *
 * ```
 * #EXTM3U
 * #EXT-X-VERSION:9
 * #EXT-X-TARGETDURATION:1
 * #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.6
 * #EXT-X-PART-INF:PART-TARGET=0.2
 * #EXT-X-MEDIA-SEQUENCE:41
 * #EXT-X-MAP:URI="3fa9c1-init.mp4"
 * #EXT-X-PROGRAM-DATE-TIME:2026-11-29T04:40:00.000Z
 * #EXT-X-PART:DURATION=0.2,URI="3fa9c1-41.0.m4s",INDEPENDENT=YES
 * …
 * #EXTINF:1.000,
 * 3fa9c1-41.m4s
 * #EXT-X-PART:DURATION=0.2,URI="3fa9c1-42.0.m4s",INDEPENDENT=YES      (the segment being built)
 * #EXT-X-PRELOAD-HINT:TYPE=PART,URI="3fa9c1-42.1.m4s"
 * ```
 *
 * File names carry the epoch of the encoder state (new on every restart or picture change), so
 * a name is never reused for other bytes and parts can be cached for long by any HTTP cache.
 */

/** PART_TARGET_S: a part every ~200 ms; a player holds back 3 parts (PART-HOLD-BACK), so ~0.6 s behind live plus delivery. */
export const PART_TARGET_S = 0.2;

/** PlaylistPart is one part of a segment. */
export interface PlaylistPart {
  durationS: number;
  /** independent: starts with a keyframe (a player may start there). */
  independent: boolean;
}

/** PlaylistSegment is one segment: complete (`complete`) or still growing (the last one). */
export interface PlaylistSegment {
  msn: number;
  /** startUs: wall-clock capture time of its first frame (EXT-X-PROGRAM-DATE-TIME). */
  startUs: number;
  durationS: number;
  parts: PlaylistPart[];
  complete: boolean;
}

/** PlaylistState is what the playlist describes. */
export interface PlaylistState {
  epoch: string;
  targetDurationS: number;
  segments: PlaylistSegment[];
}

/** segmentName, partName, initName: the file names of a stream's HLS resources. */
export const segmentName = (epoch: string, msn: number) => `${epoch}-${msn}.m4s`;
export const partName = (epoch: string, msn: number, part: number) => `${epoch}-${msn}.${part}.m4s`;
export const initName = (epoch: string) => `${epoch}-init.mp4`;

/** PARTS_LISTED_SEGMENTS: parts are listed for the last few segments only (the spec asks for at least those within 3 target durations of the end). */
const PARTS_LISTED_SEGMENTS = 3;

/** renderPlaylist writes the media playlist for `s` (at least one segment). */
export function renderPlaylist(s: PlaylistState): string {
  const first = s.segments[0];
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:9',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(s.targetDurationS))}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${(PART_TARGET_S * 3).toFixed(1)}`,
    `#EXT-X-PART-INF:PART-TARGET=${PART_TARGET_S}`,
    `#EXT-X-MEDIA-SEQUENCE:${first.msn}`,
    `#EXT-X-MAP:URI="${initName(s.epoch)}"`,
  ];
  const listParts = s.segments.length - PARTS_LISTED_SEGMENTS;
  s.segments.forEach((seg, i) => {
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(seg.startUs / 1000).toISOString()}`);
    if (i >= listParts) {
      seg.parts.forEach((p, k) => lines.push(`#EXT-X-PART:DURATION=${p.durationS.toFixed(3)},URI="${partName(s.epoch, seg.msn, k)}"${p.independent ? ',INDEPENDENT=YES' : ''}`));
    }
    if (seg.complete) lines.push(`#EXTINF:${seg.durationS.toFixed(3)},`, segmentName(s.epoch, seg.msn));
  });
  const last = s.segments[s.segments.length - 1];
  const next = last.complete ? { msn: last.msn + 1, part: 0 } : { msn: last.msn, part: last.parts.length };
  lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${partName(s.epoch, next.msn, next.part)}"`);
  return lines.join('\n') + '\n';
}
