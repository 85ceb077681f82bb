/**
 * decoder: an incremental state machine for camwire TCP protocol v1 (pure, no sockets).
 *
 * Feed it chunks as they arrive; it returns the whole messages they complete and carries partial
 * input to the next call. Every length is checked before it is read, and a declared body length
 * is compared with its limit (maxFrameBytes for FRAME, MAX_CONTROL_BYTES otherwise) before a
 * single body byte is buffered, so held input never exceeds one allowed message plus one chunk.
 * Until `authenticated` is set (the handshake was accepted) only control messages are read: a
 * FRAME header is refused as it arrives, so an unauthenticated peer holds at most 4 KiB + a chunk.
 */
import { DEFAULTS } from '../../config/defaults.js';
import { CODECS } from '../../frame/frame.js';
import { FramedReader } from '../../codecs/framed-reader.js';
import { createError } from '../../util/errors.js';
import {
  FRAME_HEADER_BYTES,
  HEADER_BYTES,
  MAGIC,
  MAX_CONTROL_BYTES,
  MAX_VIA,
  MessageType,
  VERSION,
  type Hello,
  type Message,
  type WireFrame,
} from './messages.js';

/** DecoderOptions sets the limits. */
export interface DecoderOptions {
  /** maxFrameBytes caps a frame's payload (not counting the 20-byte frame header). */
  maxFrameBytes?: number;
  /** authenticated: start past the handshake (a test reading a recorded stream); default false. */
  authenticated?: boolean;
}

/** Decoder turns a byte stream into Messages; it throws a ProtocolError on the first violation. */
export class Decoder {
  private readonly maxFrameBytes: number;
  // The header/body loop is codecs/framed-reader's (shared with the seed formats' framing).
  private readonly reader = new FramedReader<Message>({ headerBytes: HEADER_BYTES, header: (h) => this.readHeader(h), body: (b) => this.readBody(b) });
  private type = 0;
  /** authenticated: the handshake was accepted; FRAME messages are read from now on. */
  authenticated = false;

  constructor(opts: DecoderOptions = {}) {
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULTS.maxFrameBytes;
    this.authenticated = opts.authenticated ?? false;
  }

  /** bufferedBytes is how much unparsed input is held (bounded; see the file comment). */
  get bufferedBytes(): number {
    return this.reader.bufferedBytes;
  }

  /**
   * push consumes `chunk` and returns the messages it completes; before `authenticated` at most
   * one, the rest stays buffered for the next push (an empty chunk is fine).
   */
  push(chunk: Buffer): Message[] {
    // Before the handshake is accepted, stop after each message: the caller may accept it
    // (authenticated = true) before the next header is judged, then calls push() again.
    return this.reader.push(chunk, this.authenticated ? Infinity : 1);
  }

  /** end checks that the input stopped at a message boundary (CAMWIRE_ERR_TRUNCATED if not). */
  end(): void {
    this.reader.end('');
  }

  private readHeader(h: Buffer): number {
    if (h.readUInt16BE(0) !== MAGIC) {
      throw createError('CAMWIRE_ERR_BAD_MAGIC', `bad magic 0x${h.readUInt16BE(0).toString(16).padStart(4, '0')} (not a camwire peer?)`);
    }
    const version = h.readUInt8(2);
    if (version !== VERSION) {
      throw createError('CAMWIRE_ERR_UNSUPPORTED_VERSION', `protocol version ${version} is not supported (this build speaks ${VERSION})`);
    }
    this.type = h.readUInt8(3);
    const length = h.readUInt32BE(4);
    switch (this.type) {
      case MessageType.FRAME:
        if (!this.authenticated) {
          throw createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `FRAME before the handshake completed (declared ${length} bytes, none read)`);
        }
        if (length < FRAME_HEADER_BYTES) {
          throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', `FRAME body of ${length} bytes is shorter than its ${FRAME_HEADER_BYTES}-byte header`);
        }
        if (length - FRAME_HEADER_BYTES > this.maxFrameBytes) {
          throw createError('CAMWIRE_ERR_FRAME_TOO_LARGE', `declared frame of ${length - FRAME_HEADER_BYTES} bytes exceeds maxFrameBytes ${this.maxFrameBytes}`);
        }
        return length;
      case MessageType.KEEPALIVE:
      case MessageType.END:
        if (length !== 0) throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', `message type ${this.type} must have an empty body, got ${length} bytes`);
        return length;
      case MessageType.HELLO:
      case MessageType.CHALLENGE:
      case MessageType.PROOF:
      case MessageType.WELCOME:
      case MessageType.ERROR:
        if (length > MAX_CONTROL_BYTES) {
          throw createError('CAMWIRE_ERR_MESSAGE_TOO_LARGE', `control message of ${length} bytes exceeds ${MAX_CONTROL_BYTES}`);
        }
        return length;
      default:
        throw createError('CAMWIRE_ERR_UNKNOWN_MESSAGE', `unknown message type 0x${this.type.toString(16)}`);
    }
  }

  private readBody(b: Buffer): Message {
    switch (this.type) {
      case MessageType.FRAME:
        return { type: 'frame', frame: readFrame(b) };
      case MessageType.KEEPALIVE:
        return { type: 'keepalive' };
      case MessageType.END:
        return { type: 'end' };
      case MessageType.HELLO: {
        const o = readJson(b);
        if ((o.role !== 'publish' && o.role !== 'view') || typeof o.stream !== 'string' || !optionalString(o.agent) || !optionalString(o.user) || !optionalString(o.nonce) || !optionalString(o.pad)) {
          throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'HELLO needs {"role":"publish"|"view","stream":string} (and optional string agent, user, nonce, pad)');
        }
        const hello: Hello = { role: o.role, stream: o.stream, agent: o.agent as string | undefined, user: o.user as string | undefined, nonce: o.nonce as string | undefined };
        return { type: 'hello', hello, bytes: b.length };
      }
      case MessageType.CHALLENGE: {
        const o = readJson(b);
        if (typeof o.salt !== 'string' || typeof o.nonce !== 'string' || typeof o.n !== 'number' || typeof o.r !== 'number' || typeof o.p !== 'number') {
          throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'CHALLENGE needs {"salt":string,"n":number,"r":number,"p":number,"nonce":string}');
        }
        return { type: 'challenge', challenge: { salt: o.salt, n: o.n, r: o.r, p: o.p, nonce: o.nonce }, bytes: b.length };
      }
      case MessageType.PROOF: {
        const o = readJson(b);
        if (typeof o.proof !== 'string') throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'PROOF needs {"proof":string}');
        return { type: 'proof', proof: { proof: o.proof } };
      }
      case MessageType.WELCOME: {
        const o = readJson(b);
        if (typeof o.stream !== 'string' || typeof o.keepaliveMs !== 'number' || !(o.keepaliveMs > 0) || !optionalString(o.agent) || !optionalString(o.signature)) {
          throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'WELCOME needs {"stream":string,"keepaliveMs":number}');
        }
        const via = Array.isArray(o.via) && o.via.length <= MAX_VIA && o.via.every((v) => typeof v === 'string' && v.length <= 64) ? (o.via as string[]) : undefined;
        return { type: 'welcome', welcome: { stream: o.stream, keepaliveMs: o.keepaliveMs, agent: o.agent as string | undefined, signature: o.signature as string | undefined, ...(via ? { via } : {}) } };
      }
      default: {
        const o = readJson(b);
        if (typeof o.code !== 'string' || typeof o.message !== 'string') {
          throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'ERROR needs {"code":string,"message":string}');
        }
        return { type: 'error', error: { code: o.code, message: o.message } };
      }
    }
  }

}

function readFrame(b: Buffer): WireFrame {
  const codecId = b.readUInt8(0);
  const codec = CODECS[codecId];
  if (codec === undefined) throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', `unknown codec id ${codecId}`);
  const width = b.readUInt16BE(16);
  const height = b.readUInt16BE(18);
  if (width === 0 || height === 0) throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', `frame size ${width}x${height} is empty`);
  const captureUs = Number(b.readBigUInt64BE(8));
  if (!Number.isSafeInteger(captureUs)) throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'capture time out of range');
  return {
    codec,
    // Every JPEG stands alone: an mjpeg frame is a keyframe whatever the flag says (Frame invariant).
    keyframe: codec === 'mjpeg' || (b.readUInt8(1) & 1) === 1,
    seq: b.readUInt32BE(4),
    captureUs,
    width,
    height,
    payload: b.subarray(FRAME_HEADER_BYTES),
  };
}

function readJson(b: Buffer): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(b.toString('utf8'));
  } catch {
    throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'control message body is not valid JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'control message body is not a JSON object');
  }
  return o as Record<string, unknown>;
}

function optionalString(v: unknown): boolean {
  return v === undefined || typeof v === 'string';
}
