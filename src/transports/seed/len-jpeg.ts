/**
 * len-jpeg: cv2-stream's (seed 000) wire format — a JPEG behind a big-endian u32 length.
 *
 * ```
 * [u32 BE N][N bytes: one whole JPEG]      one message per picture, no handshake
 * ```
 */
import { writePrefix } from './length-prefix.js';
import { jpegPicture, type JpegPicture } from './picture.js';

/** LEN_JPEG is the format's name (the wire= value). */
export const LEN_JPEG = 'len-jpeg';

/** encodeLenJpeg returns the message carrying `jpeg` (prefix and body, unjoined). */
export function encodeLenJpeg(jpeg: Buffer): Buffer[] {
  return [writePrefix('u32be', jpeg.length), jpeg];
}

/** parseLenJpeg reads one message body: it must be a whole JPEG. */
export function parseLenJpeg(body: Buffer): JpegPicture {
  return jpegPicture(body, LEN_JPEG);
}
