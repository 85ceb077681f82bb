/**
 * frame-message: the binary WebSocket message that carries one frame to a browser (pure: no
 * sockets, no Node APIs, so the browser viewer bundles this very file to decode it).
 *
 * Every binary message from the server is one frame. The WebSocket already delimits messages,
 * so there is no length prefix; the header is fixed-size except for the stream name:
 *
 * ```
 *  0      1      2      3      4             8                         16      18      20
 * +------+------+------+------+-------------+-------------------------+-------+-------+--------+---------
 * | kind | codec| flags| nlen | seq (u32 BE)| capture time µs (u64 BE)| width | height| name   | payload…
 * | 0x01 |      |      |      |             |                         | u16 BE| u16 BE| nlen B |
 * +------+------+------+------+-------------+-------------------------+-------+-------+--------+---------
 *   kind:  0x01 = FRAME (other values are reserved; a client ignores kinds it does not know)
 *   codec: 0 = mjpeg, 1 = h264 (the order of CODECS)      flags: bit 0 = keyframe
 *   nlen:  length of the stream name in bytes, 1..64 (ASCII, STREAM_NAME_PATTERN)
 *   payload: one whole JPEG, or one whole H.264 Annex B access unit
 * ```
 *
 * The name travels in every message so that one socket can carry many streams and a frame can
 * never be attributed to the wrong tile, even across resubscriptions.
 */
import { CODECS, isValidStreamName, type Codec } from '../../frame/frame.js';
import { createError } from '../../util/errors.js';

/** WS_FRAME_KIND is the first byte of a frame message. */
export const WS_FRAME_KIND = 0x01;
/** WS_FRAME_HEADER_BYTES is the fixed part of the header, before the name. */
export const WS_FRAME_HEADER_BYTES = 20;
/** WS_MAX_NAME_BYTES: stream names are at most 64 characters (STREAM_NAME_PATTERN). */
export const WS_MAX_NAME_BYTES = 64;

const FLAG_KEYFRAME = 0x01;
const TWO_32 = 2 ** 32;

/** WsFrame is a frame as it arrives in the browser; `payload` is a view into the message. */
export interface WsFrame {
  stream: string;
  codec: Codec;
  keyframe: boolean;
  seq: number;
  captureUs: number;
  width: number;
  height: number;
  payload: Uint8Array;
}

/** encodeFrameMessage builds one frame message (header and payload in one buffer). */
export function encodeFrameMessage(f: WsFrame): Uint8Array {
  const name = f.stream;
  const n = name.length;
  if (!isValidStreamName(name)) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `bad stream name "${name.slice(0, 80)}"`);
  const out = new Uint8Array(WS_FRAME_HEADER_BYTES + n + f.payload.length);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = WS_FRAME_KIND;
  out[1] = CODECS.indexOf(f.codec);
  out[2] = f.keyframe ? FLAG_KEYFRAME : 0;
  out[3] = n;
  dv.setUint32(4, f.seq >>> 0);
  const hi = Math.floor(f.captureUs / TWO_32);
  dv.setUint32(8, hi);
  dv.setUint32(12, f.captureUs - hi * TWO_32);
  dv.setUint16(16, f.width);
  dv.setUint16(18, f.height);
  // The name is ASCII (STREAM_NAME_PATTERN), so one char is one byte.
  for (let i = 0; i < n; i++) out[WS_FRAME_HEADER_BYTES + i] = name.charCodeAt(i);
  out.set(f.payload, WS_FRAME_HEADER_BYTES + n);
  return out;
}

/**
 * decodeFrameMessage parses one frame message, checking every length before reading it.
 * Throws CAMWIRE_ERR_MALFORMED_MESSAGE / CAMWIRE_ERR_UNKNOWN_MESSAGE / CAMWIRE_ERR_BAD_STREAM_NAME.
 */
export function decodeFrameMessage(b: Uint8Array): WsFrame {
  if (b.length < WS_FRAME_HEADER_BYTES) throw malformed(`a frame message needs ${WS_FRAME_HEADER_BYTES} header bytes, got ${b.length}`);
  if (b[0] !== WS_FRAME_KIND) throw createError('CAMWIRE_ERR_UNKNOWN_MESSAGE', `unknown binary message kind 0x${b[0].toString(16)}`);
  const codec = CODECS[b[1]];
  if (codec === undefined) throw malformed(`unknown codec id ${b[1]}`);
  const n = b[3];
  if (n < 1 || n > WS_MAX_NAME_BYTES) throw malformed(`stream name length ${n} outside 1..${WS_MAX_NAME_BYTES}`);
  if (b.length < WS_FRAME_HEADER_BYTES + n) throw malformed(`frame message ends inside the stream name`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = dv.getUint16(16);
  const height = dv.getUint16(18);
  if (width === 0 || height === 0) throw malformed(`picture size ${width}x${height}`);
  const stream = String.fromCharCode(...b.subarray(WS_FRAME_HEADER_BYTES, WS_FRAME_HEADER_BYTES + n));
  if (!isValidStreamName(stream)) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `bad stream name in frame message`);
  return {
    stream,
    codec,
    keyframe: (b[2] & FLAG_KEYFRAME) !== 0,
    seq: dv.getUint32(4),
    captureUs: dv.getUint32(8) * TWO_32 + dv.getUint32(12),
    width,
    height,
    payload: b.subarray(WS_FRAME_HEADER_BYTES + n),
  };
}

function malformed(msg: string) {
  return createError('CAMWIRE_ERR_MALFORMED_MESSAGE', msg);
}
