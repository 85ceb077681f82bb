/**
 * splitter: the shape shared by the parsers that cut an encoder's byte stream (ffmpeg's stdout)
 * into whole pictures: JPEG (jpeg-splitter), H.264 Annex B (h264-splitter), FLV (flv-h264).
 */

/** SplitUnit is one whole encoded picture and when its first byte arrived. */
export interface SplitUnit {
  payload: Buffer;
  /** firstByteUs is the arrival time (µs, caller's clock) of the chunk holding the first byte. */
  firstByteUs: number;
}

/** Splitter cuts a byte stream into SplitUnits; push returns the units a chunk completes. */
export interface Splitter {
  push(chunk: Buffer, nowUs: number): SplitUnit[];
  /** end returns a unit still pending at end of stream, if the format allows one. */
  end(): SplitUnit[];
  /** oversized counts units dropped for exceeding the size limit. */
  readonly oversized: number;
}
