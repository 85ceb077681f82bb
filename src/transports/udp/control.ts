/**
 * control: the camwire UDP datagrams other than DATA — loss reports, the hub handshake and the
 * end of a stream — and `decodeDatagram`, which checks and decodes any datagram (pure).
 *
 * NACK (receiver → sender: "send these fragments of this frame again"):
 * ```
 *  0        4               8               12      14
 * +--------+---------------+---------------+-------+-------+-------+---
 * | prefix | stream id     | frame number  | count | index | index | …  count × u16 BE
 * +--------+---------------+---------------+-------+-------+-------+---
 * ```
 * END (the stream ended cleanly: viewers finish) and BYE (this peer leaves, the stream goes on:
 * a publisher detaches, a viewer unsubscribes):
 * ```
 *  0        4               8
 * +--------+---------------+
 * | prefix | stream id     |
 * +--------+---------------+
 * ```
 * REPORT (viewer → hub, every refresh: "I receive this stream"): the newest frame number the
 * viewer saw in DATA (the hub starts each viewer's numbers at random, so only a real receiver
 * knows it), how many frames it completed, and the cookie (16 bytes) proving its address:
 * ```
 *  0        4               8               12              16                              32
 * +--------+---------------+---------------+---------------+-------------------------------+
 * | prefix | stream id     | newest frame  | frames        | cookie (16 bytes)             |
 * +--------+---------------+---------------+---------------+-------------------------------+
 * ```
 * LOSS (receiver → sender and, multicast, the group: "this share of first sends did not reach
 * me"): the loss rate in 1/10 000 of the fragments sent, smoothed over a few seconds (loss-meter.ts).
 * A sender with `--fec auto` sets its parity from the worst recent LOSS (auto-parity.ts):
 * ```
 *  0        4               8      10
 * +--------+---------------+-------+
 * | prefix | stream id     | loss  |
 * +--------+---------------+-------+
 * ```
 * HELLO, CHALLENGE, WELCOME and ERROR: the prefix, then a UTF-8 JSON object of at most
 * MAX_CONTROL_BYTES (docs/protocol.md lists the fields).
 */
import { DatagramType, decodeFragment, isRejection, PREFIX_BYTES, readPrefix, reject, writePrefix, type Fragment, type Rejection } from './wire.js';

/** MAX_CONTROL_BYTES: a HELLO with a proof and a 64-character name is ~250 bytes; 1 KiB leaves room. */
export const MAX_CONTROL_BYTES = 1024;
/** MAX_NACK_INDICES: 256 indices keep a NACK within the minimum MTU; more are asked for in the next round. */
export const MAX_NACK_INDICES = 256;
/** NACK_HEADER_BYTES is the size of a NACK before its indices. */
export const NACK_HEADER_BYTES = 14;
/** END_BYTES is the size of an END or BYE datagram. */
export const END_BYTES = 8;
/** REPORT_BYTES is the size of a REPORT datagram. */
export const REPORT_BYTES = 32;
/** LOSS_BYTES is the size of a LOSS datagram. */
export const LOSS_BYTES = 10;
/** LOSS_SCALE: a LOSS carries its rate in 1/10 000. */
export const LOSS_SCALE = 10_000;
/** COOKIE_BYTES: a cookie is 16 bytes (base64url in the JSON messages). */
export const COOKIE_BYTES = 16;

/** Role says what a hub peer wants: to publish a stream or to view one. */
export type UdpRole = 'publish' | 'view';

/** Hello opens or refreshes a hub subscription or publication. */
export interface Hello {
  role: UdpRole;
  /** stream: the name; '' asks a hub for its only live stream (viewers) or the default (publishers). */
  stream: string;
  /** streamId: a publisher's stream id, chosen at random, carried by its DATA datagrams. */
  streamId?: number;
  /** cookie: echoed from the hub's CHALLENGE, proving the peer receives at its address. */
  cookie?: string;
  /** proof: HMAC over the cookie and the HELLO with a key derived from --token (proof.ts); the token itself never travels. */
  proof?: string;
  /** nonce: the client's random value, echoed in every CHALLENGE, WELCOME and ERROR answering it: an off-path spoofer cannot guess it. */
  nonce?: string;
  agent?: string;
}

/** Welcome accepts a Hello; a viewer takes DATA only with this stream id. */
export interface Welcome {
  stream: string;
  streamId: number;
  /** refreshMs: send HELLO this often; after a few missed refreshes the hub forgets the peer. */
  refreshMs: number;
  /** nonce: the HELLO's nonce, echoed. */
  nonce?: string;
  agent?: string;
}

/** Nack asks for fragments of one frame again. */
export interface Nack {
  streamId: number;
  frameNo: number;
  indices: number[];
}

/** Report is a viewer's proof that it receives its stream (see the file comment). */
export interface Report {
  streamId: number;
  newestFrameNo: number;
  frames: number;
  /** cookie: base64url, as CHALLENGE gave it. */
  cookie: string;
}

/** LossReport is a receiver's loss rate (0..1) for one stream. */
export interface LossReport {
  streamId: number;
  loss: number;
}

/** WireError is the body of an ERROR datagram. */
export interface WireError {
  code: string;
  message: string;
  /** nonce: the nonce of the HELLO this answers, echoed (absent when it answers none). */
  nonce?: string;
}

/** Datagram is one decoded camwire UDP datagram. */
export type Datagram =
  | { type: 'data'; fragment: Fragment }
  | { type: 'nack'; nack: Nack }
  | { type: 'hello'; hello: Hello }
  | { type: 'challenge'; cookie: string; nonce?: string }
  | { type: 'welcome'; welcome: Welcome }
  | { type: 'error'; error: WireError }
  | { type: 'end'; streamId: number }
  | { type: 'bye'; streamId: number }
  | { type: 'report'; report: Report }
  | { type: 'loss'; loss: LossReport };

function json(type: number, body: object): Buffer {
  const text = Buffer.from(JSON.stringify(body), 'utf8');
  if (text.length > MAX_CONTROL_BYTES) throw new RangeError(`control datagram of ${text.length} bytes exceeds ${MAX_CONTROL_BYTES}`);
  const b = Buffer.allocUnsafe(PREFIX_BYTES + text.length);
  writePrefix(b, type);
  text.copy(b, PREFIX_BYTES);
  return b;
}

/** encodeHello encodes a HELLO datagram. */
export const encodeHello = (h: Hello): Buffer => json(DatagramType.HELLO, h);
/** encodeChallenge encodes a CHALLENGE datagram, echoing the HELLO's nonce. */
export const encodeChallenge = (cookie: string, nonce?: string): Buffer => json(DatagramType.CHALLENGE, { cookie, nonce });
/** encodeWelcome encodes a WELCOME datagram. */
export const encodeWelcome = (w: Welcome): Buffer => json(DatagramType.WELCOME, w);
/** encodeError encodes an ERROR datagram (the message is cut to fit). */
export const encodeError = (e: WireError): Buffer => json(DatagramType.ERROR, { code: e.code, message: e.message.slice(0, 500), nonce: e.nonce });

/** encodeEnd encodes an END datagram (the stream ended). */
export const encodeEnd = (streamId: number): Buffer => streamIdOnly(DatagramType.END, streamId);
/** encodeBye encodes a BYE datagram (the peer leaves). */
export const encodeBye = (streamId: number): Buffer => streamIdOnly(DatagramType.BYE, streamId);

function streamIdOnly(type: number, streamId: number): Buffer {
  const b = Buffer.allocUnsafe(END_BYTES);
  writePrefix(b, type);
  b.writeUInt32BE(streamId >>> 0, 4);
  return b;
}

/** encodeReport encodes a REPORT; the cookie must be a 16-byte base64url string. */
export function encodeReport(r: Report): Buffer {
  const b = Buffer.alloc(REPORT_BYTES);
  writePrefix(b, DatagramType.REPORT);
  b.writeUInt32BE(r.streamId >>> 0, 4);
  b.writeUInt32BE(r.newestFrameNo >>> 0, 8);
  b.writeUInt32BE(r.frames >>> 0, 12);
  Buffer.from(r.cookie, 'base64url').copy(b, 16, 0, COOKIE_BYTES);
  return b;
}

/** encodeLoss encodes a LOSS; the rate is clamped to 0..1 and rounded to 1/10 000. */
export function encodeLoss(r: LossReport): Buffer {
  const b = Buffer.allocUnsafe(LOSS_BYTES);
  writePrefix(b, DatagramType.LOSS);
  b.writeUInt32BE(r.streamId >>> 0, 4);
  b.writeUInt16BE(Math.round(Math.min(1, Math.max(0, r.loss)) * LOSS_SCALE), 8);
  return b;
}

/** encodeNack encodes a NACK; at most MAX_NACK_INDICES indices are taken. */
export function encodeNack(n: Nack): Buffer {
  const count = Math.min(n.indices.length, MAX_NACK_INDICES);
  const b = Buffer.allocUnsafe(NACK_HEADER_BYTES + 2 * count);
  writePrefix(b, DatagramType.NACK);
  b.writeUInt32BE(n.streamId >>> 0, 4);
  b.writeUInt32BE(n.frameNo >>> 0, 8);
  b.writeUInt16BE(count, 12);
  for (let i = 0; i < count; i++) b.writeUInt16BE(n.indices[i], NACK_HEADER_BYTES + 2 * i);
  return b;
}

/** decodeDatagram checks and decodes one datagram; anything malformed comes back as a Rejection. */
export function decodeDatagram(b: Buffer, maxFrameBytes: number): Datagram | Rejection {
  const type = readPrefix(b);
  if (isRejection(type)) return type;
  switch (type) {
    case DatagramType.DATA: {
      const f = decodeFragment(b, maxFrameBytes);
      return isRejection(f) ? f : { type: 'data', fragment: f };
    }
    case DatagramType.NACK:
      return decodeNack(b);
    case DatagramType.END:
    case DatagramType.BYE: {
      const name = type === DatagramType.END ? 'end' : 'bye';
      if (b.length !== END_BYTES) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', `${name.toUpperCase()} of ${b.length} bytes (must be ${END_BYTES})`);
      return { type: name, streamId: b.readUInt32BE(4) };
    }
    case DatagramType.REPORT:
      if (b.length !== REPORT_BYTES) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', `REPORT of ${b.length} bytes (must be ${REPORT_BYTES})`);
      return { type: 'report', report: { streamId: b.readUInt32BE(4), newestFrameNo: b.readUInt32BE(8), frames: b.readUInt32BE(12), cookie: b.toString('base64url', 16, 32) } };
    case DatagramType.LOSS: {
      if (b.length !== LOSS_BYTES) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', `LOSS of ${b.length} bytes (must be ${LOSS_BYTES})`);
      const loss = b.readUInt16BE(8);
      if (loss > LOSS_SCALE) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', `LOSS rate ${loss} exceeds ${LOSS_SCALE}`);
      return { type: 'loss', loss: { streamId: b.readUInt32BE(4), loss: loss / LOSS_SCALE } };
    }
    case DatagramType.HELLO:
    case DatagramType.CHALLENGE:
    case DatagramType.WELCOME:
    case DatagramType.ERROR:
      return decodeJson(type, b);
    default:
      return reject('CAMWIRE_ERR_UNKNOWN_MESSAGE', `unknown datagram type 0x${type.toString(16)}`);
  }
}

function decodeNack(b: Buffer): Datagram | Rejection {
  if (b.length < NACK_HEADER_BYTES) return reject('CAMWIRE_ERR_SHORT_DATAGRAM', `${b.length}-byte NACK is shorter than its ${NACK_HEADER_BYTES}-byte header`);
  const count = b.readUInt16BE(12);
  if (count === 0 || count > MAX_NACK_INDICES) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', `NACK of ${count} indices (1..${MAX_NACK_INDICES})`);
  if (b.length !== NACK_HEADER_BYTES + 2 * count) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', `NACK of ${count} indices must be ${NACK_HEADER_BYTES + 2 * count} bytes, got ${b.length}`);
  const indices = new Array<number>(count);
  for (let i = 0; i < count; i++) indices[i] = b.readUInt16BE(NACK_HEADER_BYTES + 2 * i);
  return { type: 'nack', nack: { streamId: b.readUInt32BE(4), frameNo: b.readUInt32BE(8), indices } };
}

function decodeJson(type: number, b: Buffer): Datagram | Rejection {
  const bad = (what: string) => reject('CAMWIRE_ERR_MALFORMED_MESSAGE', what);
  if (b.length - PREFIX_BYTES > MAX_CONTROL_BYTES) return reject('CAMWIRE_ERR_MESSAGE_TOO_LARGE', `control datagram of ${b.length - PREFIX_BYTES} bytes exceeds ${MAX_CONTROL_BYTES}`);
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(b.toString('utf8', PREFIX_BYTES));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('control datagram body is not a JSON object');
    o = v as Record<string, unknown>;
  } catch {
    return bad('control datagram body is not valid JSON');
  }
  const str = (v: unknown) => typeof v === 'string';
  const optStr = (v: unknown) => v === undefined || str(v);
  const u32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  switch (type) {
    case DatagramType.HELLO:
      if ((o.role !== 'publish' && o.role !== 'view') || !str(o.stream) || !optStr(o.cookie) || !optStr(o.proof) || !optStr(o.nonce) || !optStr(o.agent) || (o.streamId !== undefined && !u32(o.streamId))) {
        return bad('HELLO needs {"role":"publish"|"view","stream":string}');
      }
      if (o.role === 'publish' && o.streamId === undefined) return bad('a publisher HELLO needs a streamId');
      return { type: 'hello', hello: pick(o, ['role', 'stream', 'streamId', 'cookie', 'proof', 'nonce', 'agent']) as unknown as Hello };
    case DatagramType.CHALLENGE:
      return str(o.cookie) && optStr(o.nonce) ? { type: 'challenge', ...(pick(o, ['cookie', 'nonce']) as { cookie: string; nonce?: string }) } : bad('CHALLENGE needs {"cookie":string}');
    case DatagramType.WELCOME:
      if (!str(o.stream) || !u32(o.streamId) || typeof o.refreshMs !== 'number' || !(o.refreshMs > 0) || !optStr(o.nonce) || !optStr(o.agent)) return bad('WELCOME needs {"stream":string,"streamId":u32,"refreshMs":number}');
      return { type: 'welcome', welcome: pick(o, ['stream', 'streamId', 'refreshMs', 'nonce', 'agent']) as unknown as Welcome };
    default:
      if (!str(o.code) || !str(o.message) || !optStr(o.nonce)) return bad('ERROR needs {"code":string,"message":string}');
      return { type: 'error', error: pick(o, ['code', 'message', 'nonce']) as unknown as WireError };
  }
}

/** pick copies the listed keys that are present, so unknown JSON keys never travel further. */
function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
