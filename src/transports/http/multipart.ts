/**
 * multipart: the MJPEG-over-HTTP wire format (pure). One response, `multipart/x-mixed-replace`,
 * one part per JPEG; browsers (`<img>`), VLC, ffmpeg/ffplay (`mpjpeg`) all play it.
 *
 * ```
 * HTTP/1.1 200 OK
 * Content-Type: multipart/x-mixed-replace; boundary=camwire-frame
 *
 * --camwire-frame\r\n
 * Content-Type: image/jpeg\r\n
 * Content-Length: 48213\r\n
 * X-Camwire-Seq: 1042\r\n
 * X-Camwire-Capture-Us: 1767225600123456\r\n      sender's wall clock, µs (latency = now - this)
 * \r\n
 * <48213 bytes of JPEG>\r\n
 * --camwire-frame\r\n
 * …
 * ```
 */
import type { Frame } from '../../frame/frame.js';

/** MJPEG_BOUNDARY separates parts; it cannot occur in a JPEG's marker structure at a line start. */
export const MJPEG_BOUNDARY = 'camwire-frame';

/** MJPEG_CONTENT_TYPE is the response Content-Type. */
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`;

/** partHeader returns the bytes that precede one JPEG in the multipart body. */
export function partHeader(f: Frame): Buffer {
  return Buffer.from(
    `--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${f.payload.length}\r\n` +
      `X-Camwire-Seq: ${f.seq}\r\nX-Camwire-Capture-Us: ${f.captureUs}\r\n\r\n`,
    'latin1',
  );
}

/** PART_TRAILER ends one part's body. */
export const PART_TRAILER = Buffer.from('\r\n', 'latin1');
