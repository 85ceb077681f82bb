/**
 * bgr-jpeg: converting between the raw BGR frames of pickle-bgr and camwire's JPEG frames (sharp,
 * off the event loop). sharp speaks RGB, so the channels are swapped on the way in and out.
 */
import sharp from 'sharp';
import type { BgrPicture } from './picture.js';

/** BGR_JPEG_QUALITY: 90, what the old JPEG programs (000, 002) use; a raw frame has no quality of its own. */
export const BGR_JPEG_QUALITY = 90;

/**
 * bgrToJpeg encodes a BGR picture as a JPEG; it swaps `p.pixels` to RGB in place (the caller hands
 * it over). Without Huffman optimisation: a live frame is worth more soon than a few % smaller
 * (measured at 640×480 q90 on this project's 2-core machine: 1.9 ms of CPU instead of 3.8 ms).
 */
export function bgrToJpeg(p: BgrPicture, quality = BGR_JPEG_QUALITY): Promise<Buffer> {
  return sharp(swapRB(p.pixels), { raw: { width: p.width, height: p.height, channels: 3 } }).jpeg({ quality, optimiseCoding: false }).toBuffer();
}

/** jpegToBgr decodes a JPEG to BGR, resized to `size` when given (else its own size). */
export async function jpegToBgr(jpeg: Buffer, size?: { width: number; height: number }): Promise<BgrPicture> {
  let s = sharp(jpeg).removeAlpha().toColourspace('srgb');
  if (size) s = s.resize(size.width, size.height, { fit: 'fill' });
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { kind: 'bgr', width: info.width, height: info.height, pixels: swapRB(data) };
}

/** swapRB turns RGB into BGR and back, in place (sharp's buffers are ours), and returns it. */
function swapRB(b: Buffer): Buffer {
  for (let i = 0; i + 2 < b.length; i += 3) {
    const t = b[i];
    b[i] = b[i + 2];
    b[i + 2] = t;
  }
  return b;
}
