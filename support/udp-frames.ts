/**
 * udp-frames: frames and their datagrams for UDP tests without sockets.
 */
import { createHash } from 'node:crypto';
import type { Frame } from '../src/frame/frame.js';
import { decodeFragment, isRejection, type Fragment } from '../src/transports/udp/wire.js';
import { packetize, type PacketizerOptions } from '../src/transports/udp/packetizer.js';
import { Prng } from './prng.js';

/** TEST_MAX_FRAME_BYTES: the maxFrameBytes tests decode with (camwire's default). */
export const TEST_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** PACKETIZE_DEFAULTS: a 1500-byte MTU (1404-byte fragments) and 10 % Reed–Solomon parity. */
export const PACKETIZE_DEFAULTS: PacketizerOptions = { mtu: 1500, fecPercent: 10, fecCode: 'rs' };

/** fakeJpeg returns `bytes` bytes that start with SOI and end with EOI, random in between. */
export function fakeJpeg(bytes: number, prng: Prng): Buffer {
  const b = prng.bytes(bytes);
  b[0] = 0xff;
  b[1] = 0xd8;
  b[bytes - 2] = 0xff;
  b[bytes - 1] = 0xd9;
  return b;
}

/** testFrame returns an mjpeg Frame of `bytes` bytes numbered `seq`. */
export function testFrame(bytes: number, seq: number, prng = new Prng(seq + 1)): Frame {
  return { stream: 'test', codec: 'mjpeg', keyframe: true, seq, captureUs: 1_700_000_000_000_000 + seq * 33_333, width: 1280, height: 720, payload: fakeJpeg(bytes, prng) };
}

/** datagramsOf packetizes a frame into whole datagrams (header and payload joined). */
export function datagramsOf(frame: Frame, frameNo = frame.seq, opts: Partial<PacketizerOptions> = {}, streamId = 0x5eed): Buffer[] {
  return packetize(frame, streamId, frameNo, { ...PACKETIZE_DEFAULTS, ...opts }).datagrams.map((parts) => Buffer.concat(parts));
}

/** fragmentsOf packetizes and decodes a frame: its Fragments in send order. */
export function fragmentsOf(frame: Frame, frameNo = frame.seq, opts: Partial<PacketizerOptions> = {}, streamId = 0x5eed): Fragment[] {
  return datagramsOf(frame, frameNo, opts, streamId).map((d) => {
    const f = decodeFragment(d, TEST_MAX_FRAME_BYTES);
    if (isRejection(f)) throw new Error(`packetizer produced a datagram its decoder rejects: ${f.reason}`);
    return f;
  });
}

/** sha1 is the hex SHA-1 of a payload, to compare what arrived with what was sent. */
export function sha1(b: Uint8Array): string {
  return createHash('sha1').update(b).digest('hex');
}
