/**
 * picture: what a seed wire message carries once parsed — a JPEG, or a raw BGR picture.
 */
import { isJpeg, jpegSize } from '../../codecs/jpeg.js';
import { createError } from '../../util/errors.js';

/** JpegPicture is one whole JPEG and its size. */
export interface JpegPicture {
  kind: 'jpeg';
  jpeg: Buffer;
  width: number;
  height: number;
}

/** BgrPicture is a raw picture, 3 bytes per pixel in B, G, R order, rows top to bottom. */
export interface BgrPicture {
  kind: 'bgr';
  width: number;
  height: number;
  pixels: Buffer;
}

/** SeedPicture is either. */
export type SeedPicture = JpegPicture | BgrPicture;

/** jpegPicture checks that `b` is one whole JPEG with a size (CAMWIRE_ERR_BAD_FRAME if not). */
export function jpegPicture(b: Buffer, format: string): JpegPicture {
  const size = isJpeg(b) ? jpegSize(b) : undefined;
  if (!size) throw createError('CAMWIRE_ERR_BAD_FRAME', `${format}: a ${b.length}-byte message that is not a whole JPEG (dropped)`);
  return { kind: 'jpeg', jpeg: b, width: size.width, height: size.height };
}
