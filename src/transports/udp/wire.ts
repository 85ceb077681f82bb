/**
 * wire: camwire UDP protocol v1 — the datagram prefix and the DATA fragment header (pure, no
 * sockets). docs/protocol.md has the whole exchange; control.ts holds the other message types.
 *
 * Every datagram starts with a 4-byte prefix, so foreign traffic on the port is rejected at once:
 *
 * ```
 *  0      1      2      3
 * +------+------+------+------+
 * | 0x43 | 0x55 | ver  | type |   'C' 'U', version 0x01, type (DatagramType)
 * +------+------+------+------+
 * ```
 *
 * A DATA datagram carries one fragment of one frame, and enough about the frame that any single
 * fragment can open its reassembly (losing the first one costs nothing special):
 *
 * ```
 *  4               8               12              16                              24
 * +---------------+---------------+---------------+-------------------------------+
 * | stream id     | frame number  | frame seq     | capture time, µs (u64)        |
 * +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
 * 24      25      26              28              30              32              34
 * | codec | flags | width         | height        | index         | data count N  |
 * +-------+-------+---------------+---------------+---------------+---------------+
 * 34              36              38              40                              44
 * | parity cnt M  | groups G      | fragment len L| frame length (u32)            |
 * +---------------+---------------+---------------+-------------------------------+
 * 44                              48
 * | frame CRC-32 (u32)            | payload…
 * +-------------------------------+
 *   all big-endian; flags: bit 0 keyframe, bit 1 retransmission
 * ```
 *
 * The frame's picture is cut into N data fragments of L bytes (the last one shorter);
 * index 0..N-1 are data, N..N+M-1 are parity fragments (fec.ts), each `min(L, frame length)`
 * bytes. `frame number` counts frames per stream id (the reassembly key, never reused);
 * `frame seq` is the Frame's own seq, passed through. The frame CRC-32 covers the whole picture
 * and the metadata delivered with it (see frameChecksum); it is checked after reassembly, so a
 * frame rebuilt wrongly (a forged or damaged fragment) is never delivered.
 */
import { CODECS, type Codec } from '../../frame/frame.js';
import { crc32 } from '../../util/crc32.js';
import type { ErrorCode } from '../../util/errors.js';

/** UDP_MAGIC is 'CU', the first two bytes of every camwire UDP datagram. */
export const UDP_MAGIC = 0x4355;
/** UDP_VERSION is the UDP protocol version this build speaks. */
export const UDP_VERSION = 1;
/** PREFIX_BYTES is the size of the prefix every datagram starts with. */
export const PREFIX_BYTES = 4;
/** FRAGMENT_HEADER_BYTES is the size of a DATA datagram's header, prefix included. */
export const FRAGMENT_HEADER_BYTES = 48;

/** DatagramType gives the wire id of each datagram type. */
export const DatagramType = {
  DATA: 0x01,
  NACK: 0x02,
  HELLO: 0x03,
  CHALLENGE: 0x04,
  WELCOME: 0x05,
  ERROR: 0x06,
  END: 0x07,
  BYE: 0x08,
  REPORT: 0x09,
  LOSS: 0x0a,
} as const;

/**
 * IP_UDP_OVERHEAD: 40 bytes of IPv6 header (IPv4's is 20) plus 8 of UDP. Subtracting the IPv6
 * size makes one MTU setting right for both families; IPv4 just has 20 bytes to spare.
 */
export const IP_UDP_OVERHEAD = 48;
/** MIN_FRAGMENT_BYTES: a sender with MIN_MTU cuts 484-byte fragments; far smaller ones are an attack on the fragment count. */
export const MIN_FRAGMENT_BYTES = 256;
/** MAX_FEC_GROUP: a parity group (data + parity) holds at most 255 fragments, the size of GF(2^8). */
export const MAX_FEC_GROUP = 255;

/** FLAG_KEYFRAME: DATA flag bit 0, the frame is a keyframe (always set for mjpeg). */
export const FLAG_KEYFRAME = 1;
/** FLAG_RETRANSMIT: DATA flag bit 1, this datagram answers a NACK (for stats). */
export const FLAG_RETRANSMIT = 2;

/** fragmentBytesFor returns L, the payload bytes per fragment for a path MTU. */
export function fragmentBytesFor(mtu: number): number {
  return mtu - IP_UDP_OVERHEAD - FRAGMENT_HEADER_BYTES;
}

/** FragmentHeader is a decoded DATA header. */
export interface FragmentHeader {
  streamId: number;
  frameNo: number;
  seq: number;
  captureUs: number;
  codec: Codec;
  keyframe: boolean;
  retransmit: boolean;
  width: number;
  height: number;
  index: number;
  dataCount: number;
  parityCount: number;
  groups: number;
  fragmentBytes: number;
  frameBytes: number;
  frameCrc: number;
}

/** Fragment is one decoded DATA datagram: its header and its payload (a view, not a copy). */
export interface Fragment {
  header: FragmentHeader;
  payload: Buffer;
}

/** Rejection says why a datagram was not accepted; `code` is from the error registry. */
export interface Rejection {
  rejected: ErrorCode;
  reason: string;
}

/** isRejection tells a Rejection from a decoded value. */
export function isRejection(v: unknown): v is Rejection {
  return typeof v === 'object' && v !== null && 'rejected' in v;
}

/** reject builds a Rejection. */
export function reject(code: ErrorCode, reason: string): Rejection {
  return { rejected: code, reason };
}

/** writePrefix writes the 4-byte prefix into `b`. */
export function writePrefix(b: Buffer, type: number): void {
  b.writeUInt16BE(UDP_MAGIC, 0);
  b.writeUInt8(UDP_VERSION, 2);
  b.writeUInt8(type, 3);
}

/** readPrefix returns the datagram type, or a Rejection for a short, foreign or newer datagram. */
export function readPrefix(b: Buffer): number | Rejection {
  if (b.length < PREFIX_BYTES) return reject('CAMWIRE_ERR_SHORT_DATAGRAM', `${b.length}-byte datagram is shorter than the ${PREFIX_BYTES}-byte prefix`);
  if (b.readUInt16BE(0) !== UDP_MAGIC) return reject('CAMWIRE_ERR_BAD_MAGIC', `bad magic 0x${b.readUInt16BE(0).toString(16).padStart(4, '0')}`);
  if (b.readUInt8(2) !== UDP_VERSION) return reject('CAMWIRE_ERR_UNSUPPORTED_VERSION', `UDP protocol version ${b.readUInt8(2)} is not supported (this build speaks ${UDP_VERSION})`);
  return b.readUInt8(3);
}

/** encodeFragmentHeader builds the 48-byte header of a DATA datagram. */
export function encodeFragmentHeader(h: FragmentHeader): Buffer {
  const b = Buffer.allocUnsafe(FRAGMENT_HEADER_BYTES);
  writePrefix(b, DatagramType.DATA);
  b.writeUInt32BE(h.streamId >>> 0, 4);
  b.writeUInt32BE(h.frameNo >>> 0, 8);
  b.writeUInt32BE(h.seq >>> 0, 12);
  b.writeBigUInt64BE(BigInt(h.captureUs), 16);
  b.writeUInt8(CODECS.indexOf(h.codec), 24);
  b.writeUInt8((h.keyframe ? FLAG_KEYFRAME : 0) | (h.retransmit ? FLAG_RETRANSMIT : 0), 25);
  b.writeUInt16BE(h.width, 26);
  b.writeUInt16BE(h.height, 28);
  b.writeUInt16BE(h.index, 30);
  b.writeUInt16BE(h.dataCount, 32);
  b.writeUInt16BE(h.parityCount, 34);
  b.writeUInt16BE(h.groups, 36);
  b.writeUInt16BE(h.fragmentBytes, 38);
  b.writeUInt32BE(h.frameBytes, 40);
  b.writeUInt32BE(h.frameCrc >>> 0, 44);
  return b;
}

/** FrameMeta: the header fields that identify a frame and travel with its picture. */
export type FrameMeta = Pick<FragmentHeader, 'streamId' | 'frameNo' | 'seq' | 'captureUs' | 'codec' | 'keyframe' | 'width' | 'height'>;

/**
 * frameChecksum is the frame CRC-32 of the DATA header: CRC-32 over the picture followed by
 * 26 bytes of metadata, stream id (u32) ‖ frame number (u32) ‖ seq (u32) ‖ capture µs (u64) ‖
 * codec (u8) ‖ keyframe (u8, 0/1) ‖ width (u16) ‖ height (u16), all big-endian.
 * `pictureCrc` is crc32(picture), computed once per picture however many streams it goes to.
 */
export function frameChecksum(meta: FrameMeta, pictureCrc: number): number {
  const b = Buffer.allocUnsafe(26);
  b.writeUInt32BE(meta.streamId >>> 0, 0);
  b.writeUInt32BE(meta.frameNo >>> 0, 4);
  b.writeUInt32BE(meta.seq >>> 0, 8);
  b.writeBigUInt64BE(BigInt(meta.captureUs), 12);
  b.writeUInt8(CODECS.indexOf(meta.codec), 20);
  b.writeUInt8(meta.keyframe ? 1 : 0, 21);
  b.writeUInt16BE(meta.width, 22);
  b.writeUInt16BE(meta.height, 24);
  return crc32(b, pictureCrc);
}

/** paddedBytes is the length every parity fragment has: the longest data fragment. */
export function paddedBytes(h: Pick<FragmentHeader, 'fragmentBytes' | 'frameBytes'>): number {
  return Math.min(h.fragmentBytes, h.frameBytes);
}

/** fragmentLength is the payload length fragment `index` must have. */
export function fragmentLength(h: Pick<FragmentHeader, 'fragmentBytes' | 'frameBytes' | 'dataCount'>, index: number): number {
  if (index < h.dataCount - 1) return h.fragmentBytes;
  if (index === h.dataCount - 1) return h.frameBytes - index * h.fragmentBytes;
  return paddedBytes(h);
}

/**
 * decodeFragment decodes a DATA datagram whose prefix was already checked. Every field is
 * checked against the others and the limits before anything is kept: a datagram that passes
 * describes a frame of at most maxFrameBytes, cut consistently, and holds exactly its bytes.
 */
export function decodeFragment(b: Buffer, maxFrameBytes: number): Fragment | Rejection {
  if (b.length < FRAGMENT_HEADER_BYTES) return reject('CAMWIRE_ERR_SHORT_DATAGRAM', `${b.length}-byte DATA datagram is shorter than its ${FRAGMENT_HEADER_BYTES}-byte header`);
  const codec = CODECS[b.readUInt8(24)];
  if (codec === undefined) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', `unknown codec id ${b.readUInt8(24)}`);
  const captureUs = Number(b.readBigUInt64BE(16));
  if (!Number.isSafeInteger(captureUs)) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', 'capture time out of range');
  const flags = b.readUInt8(25);
  const h: FragmentHeader = {
    streamId: b.readUInt32BE(4),
    frameNo: b.readUInt32BE(8),
    seq: b.readUInt32BE(12),
    captureUs,
    codec,
    keyframe: codec === 'mjpeg' || (flags & FLAG_KEYFRAME) !== 0,
    retransmit: (flags & FLAG_RETRANSMIT) !== 0,
    width: b.readUInt16BE(26),
    height: b.readUInt16BE(28),
    index: b.readUInt16BE(30),
    dataCount: b.readUInt16BE(32),
    parityCount: b.readUInt16BE(34),
    groups: b.readUInt16BE(36),
    fragmentBytes: b.readUInt16BE(38),
    frameBytes: b.readUInt32BE(40),
    frameCrc: b.readUInt32BE(44),
  };
  const bad = checkLayout(h, maxFrameBytes);
  if (bad) return bad;
  const want = fragmentLength(h, h.index);
  const got = b.length - FRAGMENT_HEADER_BYTES;
  if (got < want) return reject('CAMWIRE_ERR_SHORT_DATAGRAM', `fragment ${h.index} holds ${got} bytes, its header says ${want}`);
  if (got > want) return reject('CAMWIRE_ERR_BAD_FRAGMENT', `fragment ${h.index} holds ${got} bytes, its header says ${want}`);
  return { header: h, payload: b.subarray(FRAGMENT_HEADER_BYTES) };
}

/** checkLayout checks that a header's sizes, counts and index fit together and the limits. */
export function checkLayout(h: FragmentHeader, maxFrameBytes: number): Rejection | undefined {
  if (h.width === 0 || h.height === 0) return reject('CAMWIRE_ERR_MALFORMED_MESSAGE', `frame size ${h.width}x${h.height} is empty`);
  if (h.frameBytes === 0) return reject('CAMWIRE_ERR_BAD_FRAGMENT', 'frame length 0');
  if (h.frameBytes > maxFrameBytes) return reject('CAMWIRE_ERR_FRAME_TOO_LARGE', `declared frame of ${h.frameBytes} bytes exceeds maxFrameBytes ${maxFrameBytes}`);
  if (h.fragmentBytes < MIN_FRAGMENT_BYTES) return reject('CAMWIRE_ERR_BAD_FRAGMENT', `fragment length ${h.fragmentBytes} is below ${MIN_FRAGMENT_BYTES}`);
  if (h.dataCount !== Math.ceil(h.frameBytes / h.fragmentBytes)) return reject('CAMWIRE_ERR_BAD_FRAGMENT', `${h.dataCount} data fragments cannot hold ${h.frameBytes} bytes in ${h.fragmentBytes}-byte pieces`);
  if (h.parityCount > h.dataCount) return reject('CAMWIRE_ERR_BAD_FRAGMENT', `${h.parityCount} parity fragments for ${h.dataCount} data fragments (at most one each)`);
  if (h.parityCount === 0 ? h.groups !== 0 : h.groups < 1 || h.groups > h.parityCount) return reject('CAMWIRE_ERR_BAD_FRAGMENT', `${h.groups} parity groups for ${h.parityCount} parity fragments`);
  if (h.parityCount > 0 && Math.ceil(h.dataCount / h.groups) + Math.ceil(h.parityCount / h.groups) > MAX_FEC_GROUP) return reject('CAMWIRE_ERR_BAD_FRAGMENT', `parity groups of more than ${MAX_FEC_GROUP} fragments`);
  if (h.index >= h.dataCount + h.parityCount) return reject('CAMWIRE_ERR_BAD_FRAGMENT', `fragment index ${h.index} ≥ fragment count ${h.dataCount + h.parityCount}`);
  return undefined;
}
