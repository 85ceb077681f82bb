/**
 * gray: the small grayscale pictures motion is judged on, and how a JPEG becomes one.
 *
 * A 720p JPEG is decoded straight to 160×90 by libjpeg's DCT scaling (sharp's shrink-on-load
 * with `fastShrinkOnLoad`): at 1/8 scale libjpeg keeps only each 8×8 block's DC coefficient and
 * skips the inverse DCT, which costs a fraction of a full decode (docs/benchmarks.md, `motion`),
 * and averaging 64 pixels into one also removes most sensor noise before the detector sees it.
 */
import sharp from 'sharp';

/** ANALYSIS_WIDTH: 160 pixels (1/8 of 1280): a person at 20 m is still a few pixels, and a picture costs 14 KB. */
export const ANALYSIS_WIDTH = 160;

/** Size is a picture size in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** analysisSize keeps the aspect of `w`×`h` at ANALYSIS_WIDTH (never upscaling), with even sides for ffmpeg's scaler. */
export function analysisSize(w: number, h: number): Size {
  const width = Math.max(2, Math.min(ANALYSIS_WIDTH, w) & ~1);
  const height = Math.max(2, Math.round((width * h) / w / 2) * 2);
  return { width, height };
}

/** jpegToGray decodes `jpeg` to `size` grayscale bytes (row by row). */
export async function jpegToGray(jpeg: Buffer, size: Size): Promise<Uint8Array> {
  const { data } = await sharp(jpeg, { failOn: 'none' })
    .resize(size.width, size.height, { fit: 'fill', fastShrinkOnLoad: true })
    .grayscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return data;
}

/** grayToJpeg encodes a grayscale picture as a JPEG (the snapshot of a stream that has no JPEG of its own). */
export function grayToJpeg(gray: Uint8Array, size: Size): Promise<Buffer> {
  return sharp(Buffer.from(gray.buffer, gray.byteOffset, size.width * size.height), { raw: { width: size.width, height: size.height, channels: 1 } }).jpeg({ quality: 85 }).toBuffer();
}
