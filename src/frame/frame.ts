/**
 * Frame: one encoded picture, the only currency between camwire modules.
 *
 * Invariants (producers guarantee them; consumers may rely on them):
 * - `payload` holds exactly one complete encoded picture: a whole JPEG (FF D8 … FF D9) for
 *   `mjpeg`, one whole Annex B access unit for `h264`. It is never mutated after publishing:
 *   many readers share the same Buffer.
 * - `keyframe` is true for every `mjpeg` frame; for `h264` it is true exactly when the access
 *   unit holds an IDR picture, and then it also carries SPS and PPS, so decoding can start there.
 * - `seq` increases by one per frame a publisher produces (it wraps at 2^32); a gap seen by a
 *   reader means frames were skipped upstream.
 * - `captureUs` is the sender's wall clock in microseconds (see util/clock), taken when the
 *   picture was captured, before encoding; latency anywhere is `nowUs() - captureUs`.
 * - `width` and `height` are the picture size in pixels, each 1..65535.
 * - `stream` is the name the frame is published under (see STREAM_NAME_PATTERN).
 */
export interface Frame {
  readonly stream: string;
  readonly codec: Codec;
  readonly keyframe: boolean;
  readonly seq: number;
  readonly captureUs: number;
  readonly width: number;
  readonly height: number;
  readonly payload: Buffer;
}

/** Codec names the encodings camwire carries. */
export type Codec = 'mjpeg' | 'h264';

/** CODECS lists every Codec, in wire-id order (see docs/protocol.md). */
export const CODECS: readonly Codec[] = ['mjpeg', 'h264'];

/**
 * STREAM_NAME_PATTERN: letters, digits, `_`, `-`, `.` and `/` for grouping, 1–64 characters,
 * not starting with `.` or `/`. Names appear in URLs and file paths, so nothing that needs
 * escaping or could climb a directory (`..`) is allowed.
 */
export const STREAM_NAME_PATTERN = /^(?![./])(?!.*\.\.)[A-Za-z0-9_.\-/]{1,64}$/;

/** isValidStreamName tells whether `name` matches STREAM_NAME_PATTERN. */
export function isValidStreamName(name: string): boolean {
  return STREAM_NAME_PATTERN.test(name);
}
