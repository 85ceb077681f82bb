/**
 * pickle-jpeg: the wire format of python-webcam-socket-streaming (002) and video-surveillance
 * (003) — a pickle (protocol 0) of the 1-D uint8 numpy array cv2.imencode returns, behind a
 * big-endian u32 length.
 *
 * ```
 * [u32 BE L][L bytes: PREFIX(N) ESC(jpeg) SUFFIX]
 * PREFIX(N) = "cnumpy.core.multiarray\n_reconstruct\np0\n(cnumpy\nndarray\np1\n(I0\ntp2\n
 *              c_codecs\nencode\np3\n(Vb\np4\nVlatin1\np5\ntp6\nRp7\ntp8\nRp9\n(I1\n(I<N>\ntp10\n
 *              cnumpy\ndtype\np11\n(Vu1\np12\nI00\nI01\ntp13\nRp14\n(I3\nV|\np15\nNNNI-1\nI-1\nI0\n
 *              tp16\nbI00\ng3\n(V"
 * ESC       = the JPEG with 00 0A 0D 1A 5C written as the six bytes "\u00xx"
 * SUFFIX    = "\np17\ng5\ntp18\nRp19\ntp20\nb."
 * ```
 * Reading goes through pickle-reader and numpy-array (any numpy 1.x/2.x variant: shape (N,) or
 * (N,1), numpy._core, protocol 3/4 too); writing produces exactly numpy 1.x's bytes above, which
 * numpy 1.x and 2.x both load.
 */
import { writePrefix } from './length-prefix.js';
import { matchUint8Array } from './numpy-array.js';
import { jpegPicture, type JpegPicture } from './picture.js';
import { badPickle, readPickle } from './pickle-reader.js';

/** PICKLE_JPEG is the format's name (the wire= value). */
export const PICKLE_JPEG = 'pickle-jpeg';

const HEAD =
  'cnumpy.core.multiarray\n_reconstruct\np0\n(cnumpy\nndarray\np1\n(I0\ntp2\nc_codecs\nencode\np3\n(Vb\np4\nVlatin1\np5\ntp6\nRp7\ntp8\nRp9\n(I1\n(I';
const MIDDLE = '\ntp10\ncnumpy\ndtype\np11\n(Vu1\np12\nI00\nI01\ntp13\nRp14\n(I3\nV|\np15\nNNNI-1\nI-1\nI0\ntp16\nbI00\ng3\n(V';
const SUFFIX = Buffer.from('\np17\ng5\ntp18\nRp19\ntp20\nb.', 'latin1');

/** ESCAPED: the bytes Python's protocol 0 writes as \u00XX inside a UNICODE line. */
const ESCAPED = new Uint8Array(256);
for (const c of [0x00, 0x0a, 0x0d, 0x1a, 0x5c]) ESCAPED[c] = 1;
const HEX = '0123456789abcdef';

/** encodePickleJpeg returns the message carrying `jpeg` (prefix, pickle head, escaped JPEG, suffix). */
export function encodePickleJpeg(jpeg: Buffer): Buffer[] {
  const head = Buffer.from(`${HEAD}${jpeg.length}${MIDDLE}`, 'latin1');
  const body = escape(jpeg);
  return [writePrefix('u32be', head.length + body.length + SUFFIX.length), head, body, SUFFIX];
}

/** parsePickleJpeg reads one message body: a pickled 1-D (or N×1) uint8 array holding a whole JPEG. */
export function parsePickleJpeg(body: Buffer): JpegPicture {
  const a = matchUint8Array(readPickle(body, PICKLE_JPEG), PICKLE_JPEG);
  const [, one = 1, ...more] = a.shape;
  if (a.shape.length < 1 || one !== 1 || more.length > 0) throw badPickle(PICKLE_JPEG, `expected a 1-D array of JPEG bytes, shape (N,) or (N, 1), got shape (${a.shape.join(', ')})`);
  return jpegPicture(a.data, PICKLE_JPEG);
}

function escape(b: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < b.length; i++) extra += ESCAPED[b[i]];
  if (extra === 0) return b;
  const out = Buffer.allocUnsafe(b.length + extra * 5);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (ESCAPED[c] === 0) {
      out[o++] = c;
      continue;
    }
    out[o++] = 0x5c; // \
    out[o++] = 0x75; // u
    out[o++] = 0x30;
    out[o++] = 0x30;
    out[o++] = HEX.charCodeAt(c >> 4);
    out[o++] = HEX.charCodeAt(c & 15);
  }
  return out;
}
