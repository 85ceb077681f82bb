/**
 * packetizer: cuts one frame into DATA datagrams of at most the path MTU, parity included
 * (pure, the sending half of reassembler.ts; cf. pion/rtp Payloader).
 *
 * A datagram is returned as [header, payload] so the picture itself is never copied: the
 * socket writes both parts (scatter/gather). Parity fragments are cached per picture buffer,
 * so a hub sending one frame to many UDP viewers computes its parity once.
 */
import type { Frame } from '../../frame/frame.js';
import { crc32 } from '../../util/crc32.js';
import { createError } from '../../util/errors.js';
import { encodeParity, fecGroups, FecLayout, parityCountFor, type FecCode } from './fec.js';
import { encodeFragmentHeader, FLAG_RETRANSMIT, fragmentBytesFor, frameChecksum, paddedBytes, type FragmentHeader } from './wire.js';

/** MAX_FRAGMENTS: the data count is a u16 on the wire. */
export const MAX_FRAGMENTS = 0xffff;

/** PacketizerOptions: the path MTU and how much parity to add. */
export interface PacketizerOptions {
  /** mtu: the path MTU in bytes; datagrams are at most mtu - 48 (IPv6 + UDP headers). */
  mtu: number;
  /** fecPercent: parity overhead in percent of the data fragments (0 = no FEC). */
  fecPercent: number;
  fecCode: FecCode;
  /** parityCount: the parity count for a frame of n data fragments, instead of fecPercent (`--fec auto`). */
  parityCount?: (dataCount: number) => number;
}

/** Datagram parts: [48-byte header, payload view]; send both with one socket.send call. */
export type DatagramParts = [Buffer, Buffer];

/** PacketizedFrame is one frame ready to send: data fragments first, then parity. */
export interface PacketizedFrame {
  frameNo: number;
  datagrams: DatagramParts[];
  dataCount: number;
  parityCount: number;
  /** bytes is the total of all datagrams (headers included), for rate accounting. */
  bytes: number;
}

const parityCache = new WeakMap<Buffer, { key: string; parity: Buffer[] }>();
const crcCache = new WeakMap<Buffer, number>();

/** crcOf is the picture's CRC-32, computed once per buffer however many viewers it goes to. */
function crcOf(payload: Buffer): number {
  let c = crcCache.get(payload);
  if (c === undefined) crcCache.set(payload, (c = crc32(payload)));
  return c;
}

/** packetize cuts `frame` into datagrams for stream `streamId` as its frame number `frameNo`. */
export function packetize(frame: Omit<Frame, 'stream'>, streamId: number, frameNo: number, opts: PacketizerOptions): PacketizedFrame {
  const L = fragmentBytesFor(opts.mtu);
  const payload = frame.payload;
  const dataCount = Math.ceil(payload.length / L);
  if (payload.length === 0) throw createError('CAMWIRE_ERR_BAD_FRAME', 'cannot send an empty frame');
  if (dataCount > MAX_FRAGMENTS) throw createError('CAMWIRE_ERR_FRAME_TOO_LARGE', `a ${payload.length}-byte frame needs more than ${MAX_FRAGMENTS} fragments at MTU ${opts.mtu}`);
  const parityCount = Math.min(dataCount, opts.parityCount ? opts.parityCount(dataCount) : parityCountFor(dataCount, opts.fecPercent));
  const groups = fecGroups(dataCount, parityCount, opts.fecCode);
  const template = encodeFragmentHeader({
    streamId,
    frameNo,
    seq: frame.seq,
    captureUs: frame.captureUs,
    codec: frame.codec,
    keyframe: frame.keyframe,
    retransmit: false,
    width: frame.width,
    height: frame.height,
    index: 0,
    dataCount,
    parityCount,
    groups,
    fragmentBytes: L,
    frameBytes: payload.length,
    frameCrc: frameChecksum({ ...frame, streamId, frameNo }, crcOf(payload)),
  } satisfies FragmentHeader);
  const data: Buffer[] = [];
  for (let i = 0; i < dataCount; i++) data.push(payload.subarray(i * L, Math.min(payload.length, (i + 1) * L)));
  const parity = parityFor(payload, data, new FecLayout(dataCount, parityCount, groups), paddedBytes({ fragmentBytes: L, frameBytes: payload.length }));
  const datagrams: DatagramParts[] = [...data, ...parity].map((part, index) => {
    const h = Buffer.from(template);
    h.writeUInt16BE(index, 30);
    return [h, part];
  });
  const bytes = datagrams.reduce((n, [h, p]) => n + h.length + p.length, 0);
  return { frameNo, datagrams, dataCount, parityCount, bytes };
}

/** asRetransmission copies a datagram's header with the retransmission flag set. */
export function asRetransmission([h, p]: DatagramParts): DatagramParts {
  const copy = Buffer.from(h);
  copy.writeUInt8(copy.readUInt8(25) | FLAG_RETRANSMIT, 25);
  return [copy, p];
}

function parityFor(payload: Buffer, data: Buffer[], layout: FecLayout, padded: number): Buffer[] {
  if (layout.parityCount === 0) return [];
  const key = `${data.length}/${layout.parityCount}/${layout.groups}/${padded}`;
  const hit = parityCache.get(payload);
  if (hit?.key === key) return hit.parity;
  const parity = encodeParity(data, layout, padded);
  parityCache.set(payload, { key, parity });
  return parity;
}
