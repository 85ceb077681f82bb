/**
 * messages: camwire TCP protocol v1, the message types and their encoders (pure, no sockets).
 *
 * Every message starts with the same 8-byte header, so a desynchronised or foreign peer is
 * caught at the next message boundary:
 *
 * ```
 *  0      1      2      3      4      5      6      7
 * +------+------+------+------+------+------+------+------+
 * | 0x43 | 0x57 | ver  | type |  body length (u32 BE)     |  then `length` body bytes
 * | 'C'  | 'W'  | 0x01 |      |                           |
 * +------+------+------+------+------+------+------+------+
 * ```
 *
 * FRAME body (20-byte frame header, then the encoded picture):
 *
 * ```
 *  0       1       2       3       4               8                              16      18      20
 * +-------+-------+-------+-------+---------------+------------------------------+-------+-------+---------
 * | codec | flags | reserved (0)  | seq (u32 BE)  | capture time, µs (u64 BE)    | width | height| payload…
 * +-------+-------+-------+-------+---------------+------------------------------+-------+-------+---------
 *   codec: 0 = mjpeg, 1 = h264      flags: bit 0 = keyframe      width, height: u16 BE
 * ```
 *
 * HELLO, CHALLENGE, PROOF, WELCOME and ERROR bodies are UTF-8 JSON objects (at most
 * MAX_CONTROL_BYTES); KEEPALIVE and END have empty bodies. docs/protocol.md has the whole exchange.
 *
 * Authentication (src/auth, SCRAM-SHA-256 style; no secret or secret-equivalent is ever sent):
 *
 * ```
 * client                                         hub
 *   HELLO {role, stream, user, nonce, pad}  -->          (no `user`: anonymous, straight to WELCOME/ERROR)
 *                                           <--  CHALLENGE {salt, n, r, p, nonce}   (never larger than the HELLO)
 *   PROOF {proof}                           -->
 *                                           <--  WELCOME {stream, keepaliveMs, signature}  or  ERROR
 * ```
 * The client checks `signature` (it proves the hub holds the credential's keys) and refuses a
 * WELCOME without a valid one whenever it presented a credential.
 */
import { CODECS, type Frame } from '../../frame/frame.js';
import type { ChallengeWire } from '../../auth/index.js';

/** MAGIC is 'CW', the first two bytes of every message. */
export const MAGIC = 0x4357;
/** VERSION is the protocol version this build speaks. */
export const VERSION = 1;
/** HEADER_BYTES is the size of the common message header. */
export const HEADER_BYTES = 8;
/** FRAME_HEADER_BYTES is the size of the frame header at the start of a FRAME body. */
export const FRAME_HEADER_BYTES = 20;
/** MAX_CONTROL_BYTES: a handshake or error is a few hundred bytes of JSON; 4 KiB leaves room for tokens. */
export const MAX_CONTROL_BYTES = 4096;

/** MessageType gives the wire id of each message. */
export const MessageType = {
  HELLO: 0x01,
  WELCOME: 0x02,
  FRAME: 0x03,
  KEEPALIVE: 0x04,
  END: 0x05,
  ERROR: 0x06,
  CHALLENGE: 0x07,
  PROOF: 0x08,
} as const;

/** HELLO_PAD_BYTES: a HELLO with a user is padded to this many body bytes, so the CHALLENGE it asks for is never larger (no amplification). */
export const HELLO_PAD_BYTES = 256;

/** Role says what a client wants: to publish a stream or to view one. */
export type Role = 'publish' | 'view';

/** Hello is the client's opening message. `stream` may be empty: "the default stream". */
export interface Hello {
  role: Role;
  stream: string;
  /** agent names the client software, for logs. */
  agent?: string;
  /** user asks for a challenge for this credential ('' = the hub's --token); absent = anonymous. */
  user?: string;
  /** nonce: the client's nonce (base64), required with `user`. */
  nonce?: string;
  /** pad: filler up to HELLO_PAD_BYTES (ignored). */
  pad?: string;
}

/** Proof is the client's answer to a CHALLENGE: ClientKey XOR ClientSignature (base64), never the secret. */
export interface Proof {
  proof: string;
}

/** MAX_VIA: the longest hub chain a WELCOME describes (ids past it are cut; a loop longer than this is not seen). */
export const MAX_VIA = 16;

/** Welcome is the server's answer to an accepted Hello. */
export interface Welcome {
  stream: string;
  agent?: string;
  /** via: to a viewer, the hubs the stream came through, this one first (hub chains refuse loops); at most MAX_VIA ids. */
  via?: string[];
  /** keepaliveMs is how often the server sends KEEPALIVE when idle; the client does the same. */
  keepaliveMs: number;
  /** signature: after a PROOF, the hub's ServerSignature (base64) for the client to check. */
  signature?: string;
}

/** WireError is the body of an ERROR message, sent just before a deliberate close. */
export interface WireError {
  code: string;
  message: string;
}

/** WireFrame is a Frame as it travels on one connection: the stream name is the connection's. */
export type WireFrame = Omit<Frame, 'stream'>;

/** Message is one decoded message. */
export type Message =
  | { type: 'hello'; hello: Hello; bytes: number }
  | { type: 'challenge'; challenge: ChallengeWire; bytes: number }
  | { type: 'proof'; proof: Proof }
  | { type: 'welcome'; welcome: Welcome }
  | { type: 'frame'; frame: WireFrame }
  | { type: 'keepalive' }
  | { type: 'end' }
  | { type: 'error'; error: WireError };

/** header builds the 8-byte common header. */
export function header(type: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(HEADER_BYTES);
  b.writeUInt16BE(MAGIC, 0);
  b.writeUInt8(VERSION, 2);
  b.writeUInt8(type, 3);
  b.writeUInt32BE(length, 4);
  return b;
}

function json(type: number, body: object): Buffer {
  const b = Buffer.from(JSON.stringify(body), 'utf8');
  if (b.length > MAX_CONTROL_BYTES) throw new RangeError(`control message of ${b.length} bytes exceeds ${MAX_CONTROL_BYTES}`);
  return Buffer.concat([header(type, b.length), b]);
}

/** encodeHello encodes a HELLO message. */
export const encodeHello = (h: Hello): Buffer => json(MessageType.HELLO, h);
/** encodeChallenge encodes a CHALLENGE message. */
export const encodeChallenge = (c: ChallengeWire): Buffer => json(MessageType.CHALLENGE, c);
/** encodeProof encodes a PROOF message. */
export const encodeProof = (p: Proof): Buffer => json(MessageType.PROOF, p);
/** encodeWelcome encodes a WELCOME message. */
export const encodeWelcome = (w: Welcome): Buffer => json(MessageType.WELCOME, w);
/** encodeError encodes an ERROR message. */
export const encodeError = (e: WireError): Buffer => json(MessageType.ERROR, e);
/** encodeKeepalive encodes a KEEPALIVE message. */
export const encodeKeepalive = (): Buffer => header(MessageType.KEEPALIVE, 0);
/** encodeEnd encodes an END message (clean end of stream). */
export const encodeEnd = (): Buffer => header(MessageType.END, 0);

/**
 * encodeFrame returns the message header plus frame header as one small buffer, and the payload
 * untouched, so a frame shared by 100 readers is never copied (write both, or writev).
 */
export function encodeFrame(f: WireFrame): [Buffer, Buffer] {
  const h = Buffer.allocUnsafe(HEADER_BYTES + FRAME_HEADER_BYTES);
  h.writeUInt16BE(MAGIC, 0);
  h.writeUInt8(VERSION, 2);
  h.writeUInt8(MessageType.FRAME, 3);
  h.writeUInt32BE(FRAME_HEADER_BYTES + f.payload.length, 4);
  const o = HEADER_BYTES;
  h.writeUInt8(CODECS.indexOf(f.codec), o);
  h.writeUInt8(f.keyframe ? 1 : 0, o + 1);
  h.writeUInt16BE(0, o + 2);
  h.writeUInt32BE(f.seq >>> 0, o + 4);
  h.writeBigUInt64BE(BigInt(f.captureUs), o + 8);
  h.writeUInt16BE(f.width, o + 16);
  h.writeUInt16BE(f.height, o + 18);
  return [h, f.payload];
}
