/**
 * decoder: the seam between frames and pictures. A tile asks `createDecoder(codec)` for a
 * FrameDecoder and feeds it frames one at a time (never more than one in flight, see latest.ts).
 *
 * To add a codec: implement FrameDecoder — keep the decoder configured across frames, start at
 * a keyframe (`frame.keyframe`), resolve each decode with a Picture (a VideoFrame is a
 * CanvasImageSource; `close()` releases it), throw CannotDecodeError when this browser cannot
 * show the codec at all — and register it in DECODERS. Nothing else in the page changes.
 */
import type { Codec } from '../../src/frame/frame.js';
import type { WsFrame } from '../../src/transports/ws/frame-message.js';
import { H264Decoder } from './h264.js';
import { JpegDecoder } from './jpeg.js';

/** Picture is one decoded frame, ready for drawImage; close() frees it right after drawing. */
export interface Picture {
  readonly image: CanvasImageSource;
  readonly width: number;
  readonly height: number;
  /**
   * captureUs: the capture time of the frame this picture shows, when that is not the frame
   * just decoded (a decoder that hands pictures out late or reordered, like H.264).
   */
  readonly captureUs?: number;
  close(): void;
}

/** CannotDecodeError: this browser cannot show the codec; its message tells the user what to do. */
export class CannotDecodeError extends Error {
  override readonly name = 'CannotDecodeError';
}

/** Size is a picture size in device pixels. */
export interface Size {
  width: number;
  height: number;
}

/** FrameDecoder turns frames of one codec into Pictures. */
export interface FrameDecoder {
  readonly codec: Codec;
  /**
   * decode resolves with the picture, or null when this frame yields none (waiting for a
   * keyframe). `fit` is the size the picture is shown at: a decoder may decode smaller than
   * the frame (never needed larger), saving the work of pixels nobody sees.
   */
  decode(frame: WsFrame, fit?: Size): Promise<Picture | null>;
  /** errors counts frames the decoder failed on (0 for a healthy stream; shown to tests). */
  readonly errors?: number;
  /** close releases the decoder (tile removed, codec changed). */
  close(): void;
}

/** DECODERS maps each codec the page can show to its decoder's constructor. */
export const DECODERS: Partial<Record<Codec, () => FrameDecoder>> = {
  mjpeg: () => new JpegDecoder(),
  h264: () => new H264Decoder(),
};

/** createDecoder returns a decoder for `codec`, or undefined when the page cannot show it yet. */
export function createDecoder(codec: Codec): FrameDecoder | undefined {
  return DECODERS[codec]?.();
}
