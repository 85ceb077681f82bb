/**
 * spec: the SOURCE argument of `camwire send` and `camwire serve --stream NAME=SOURCE`.
 *
 *   testsrc                       built-in test pattern
 *   camera | camera:N | camera:DEVICE   a local camera (index, /dev/videoN, or a name)
 *   file:PATH                     a video file, played in real time
 *   rtsp:// rtsps:// http:// https://   an IP camera (or any stream ffmpeg opens)
 *   rtmp:// rtmps:// srt://       a stream on a streaming server (nginx-rtmp, MediaMTX, SRS)
 */
import { createError } from '../util/errors.js';
import { redact } from '../util/redact.js';

/** SourceSpec is a parsed SOURCE argument. */
export type SourceSpec =
  | { kind: 'testsrc' }
  | { kind: 'camera'; which?: string }
  | { kind: 'file'; path: string }
  | { kind: 'url'; url: string };

/** SOURCE_FORMS lists the accepted forms for messages and help. */
export const SOURCE_FORMS = 'testsrc, camera, camera:N, camera:DEVICE, file:PATH, rtsp://…, rtsps://…, http(s)://…, rtmp://…, srt://…';

/** parseSourceSpec parses a SOURCE argument. */
export function parseSourceSpec(text: string): SourceSpec {
  if (text === 'testsrc') return { kind: 'testsrc' };
  if (text === 'camera') return { kind: 'camera' };
  if (text.startsWith('camera:') && text.length > 7) return { kind: 'camera', which: text.slice(7) };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: text.slice(5) };
  if (/^(rtsps?|https?|rtmps?|srt):\/\/./i.test(text)) return { kind: 'url', url: text };
  throw createError('CAMWIRE_ERR_CONFIG', `unknown source "${text.slice(0, 100)}" (use ${SOURCE_FORMS})`);
}

/** redactUrl hides credentials in URLs within `text` for logs: rtsp://user:***@host/… (util/redact). */
export function redactUrl(text: string): string {
  return redact(text);
}
