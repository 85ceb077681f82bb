import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeDatagram, encodeBye, encodeChallenge, encodeEnd, encodeError, encodeHello, encodeNack, encodeWelcome, MAX_NACK_INDICES } from '../../../src/transports/udp/control.js';
import { packetize } from '../../../src/transports/udp/packetizer.js';
import { DatagramType, FRAGMENT_HEADER_BYTES, frameChecksum, fragmentBytesFor, IP_UDP_OVERHEAD, isRejection, writePrefix } from '../../../src/transports/udp/wire.js';
import { crc32, crc32Portable } from '../../../src/util/crc32.js';
import type { ErrorCode } from '../../../src/util/errors.js';
import { ERROR_CODES } from '../../../src/util/errors.js';
import { datagramsOf, fragmentsOf, testFrame, TEST_MAX_FRAME_BYTES } from '../../../support/udp-frames.js';

const L = fragmentBytesFor(1500);

describe('udp wire: DATA', () => {
  it('sizes fragments for a 1500-byte MTU under IPv6 + UDP headers', () => {
    assert.equal(IP_UDP_OVERHEAD, 48);
    assert.equal(L, 1500 - 48 - FRAGMENT_HEADER_BYTES);
    assert.equal(L, 1404);
  });

  it('round-trips every header field', () => {
    const f = { ...testFrame(5000, 77), codec: 'h264' as const, keyframe: false, width: 640, height: 360 };
    const frags = fragmentsOf(f, 0xfffffffe, {}, 0xdeadbeef);
    assert.equal(frags.length, 4 + 1);
    frags.forEach((g, i) => {
      assert.deepEqual(g.header, {
        streamId: 0xdeadbeef, frameNo: 0xfffffffe, seq: 77, captureUs: f.captureUs, codec: 'h264', keyframe: false, retransmit: false,
        width: 640, height: 360, index: i, dataCount: 4, parityCount: 1, groups: 1, fragmentBytes: L, frameBytes: 5000, frameCrc: frameChecksum({ ...f, streamId: 0xdeadbeef, frameNo: 0xfffffffe }, crc32(f.payload)),
      });
    });
    assert.deepEqual(Buffer.concat(frags.slice(0, 4).map((g) => g.payload)), f.payload);
  });

  // Split sizes around the fragment size: every datagram stays within the MTU budget.
  const splits: { name: string; bytes: number; mtu: number; data: number }[] = [
    { name: 'one byte short of a fragment', bytes: L - 1, mtu: 1500, data: 1 },
    { name: 'exactly one fragment', bytes: L, mtu: 1500, data: 1 },
    { name: 'one byte over a fragment', bytes: L + 1, mtu: 1500, data: 2 },
    { name: 'exactly two fragments', bytes: 2 * L, mtu: 1500, data: 2 },
    { name: 'two fragments and a byte', bytes: 2 * L + 1, mtu: 1500, data: 3 },
    { name: 'a 4-byte frame', bytes: 4, mtu: 1500, data: 1 },
    { name: 'the smallest MTU', bytes: 10_000, mtu: 576, data: Math.ceil(10_000 / fragmentBytesFor(576)) },
    { name: 'a jumbo-frame MTU', bytes: 100_000, mtu: 9000, data: Math.ceil(100_000 / fragmentBytesFor(9000)) },
  ];
  for (const s of splits) {
    it(`cuts ${s.name} (${s.bytes} bytes, MTU ${s.mtu}) into ${s.data} data fragments within the MTU`, () => {
      const f = testFrame(s.bytes, 1);
      const dgs = datagramsOf(f, 1, { mtu: s.mtu });
      const frags = fragmentsOf(f, 1, { mtu: s.mtu });
      assert.equal(frags[0].header.dataCount, s.data);
      for (const d of dgs) assert.ok(d.length <= s.mtu - IP_UDP_OVERHEAD, `${d.length}-byte datagram exceeds MTU ${s.mtu}`);
      assert.deepEqual(Buffer.concat(frags.slice(0, s.data).map((g) => g.payload)), f.payload);
    });
  }

  it('computes the same CRC-32 natively and portably (the zip/PNG check value)', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32Portable(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.from('6789'), crc32(Buffer.from('12345'))), 0xcbf43926, 'continues from a previous CRC');
    assert.equal(crc32Portable(Buffer.from('6789'), crc32Portable(Buffer.from('12345'))), 0xcbf43926);
  });

  it('refuses an empty frame and one needing more than 65535 fragments', () => {
    assert.throws(() => packetize({ ...testFrame(10, 1), payload: Buffer.alloc(0) }, 1, 1, { mtu: 1500, fecPercent: 0, fecCode: 'rs' }), { code: 'CAMWIRE_ERR_BAD_FRAME' });
    assert.throws(() => packetize({ ...testFrame(10, 1), payload: Buffer.alloc(65536 * 484) }, 1, 1, { mtu: 576, fecPercent: 0, fecCode: 'rs' }), { code: 'CAMWIRE_ERR_FRAME_TOO_LARGE' });
  });
});

/** valid returns a fresh valid DATA datagram (fragment 0 of a 3-data, 1-parity frame). */
const valid = () => datagramsOf(testFrame(3 * L - 10, 5), 5)[0];
const put = (d: Buffer, fn: (d: Buffer) => void) => (fn(d), d);
/** dataWith writes header fields at their offsets (see wire.ts). */
const dataWith = (fields: Partial<Record<'index' | 'dataCount' | 'parityCount' | 'groups' | 'fragmentBytes' | 'frameBytes' | 'codec' | 'width', number>>) =>
  put(valid(), (d) => {
    const u16 = { index: 30, dataCount: 32, parityCount: 34, groups: 36, fragmentBytes: 38, width: 26 } as const;
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'frameBytes') d.writeUInt32BE(v, 40);
      else if (k === 'codec') d.writeUInt8(v, 24);
      else d.writeUInt16BE(v, u16[k as keyof typeof u16]);
    }
  });
const control = (type: number, body: string | Buffer) => {
  const b = Buffer.concat([Buffer.alloc(4), Buffer.from(body)]);
  writePrefix(b, type);
  return b;
};

describe('udp wire: malformed datagrams are rejected with a registry code', () => {
  const cases: { name: string; datagram: () => Buffer; code: ErrorCode }[] = [
    { name: 'an empty datagram', datagram: () => Buffer.alloc(0), code: 'CAMWIRE_ERR_SHORT_DATAGRAM' },
    { name: 'a 3-byte datagram', datagram: () => Buffer.from('CU\x01'), code: 'CAMWIRE_ERR_SHORT_DATAGRAM' },
    { name: 'a TCP camwire header', datagram: () => Buffer.from('CW\x01\x03\x00\x00\x00\x00'), code: 'CAMWIRE_ERR_BAD_MAGIC' },
    { name: 'a seed-001 countdown datagram', datagram: () => Buffer.from([3, 0xff, 0xd8, 0xff, 0xe0]), code: 'CAMWIRE_ERR_BAD_MAGIC' },
    { name: 'a newer protocol version', datagram: () => put(valid(), (d) => d.writeUInt8(2, 2)), code: 'CAMWIRE_ERR_UNSUPPORTED_VERSION' },
    { name: 'an unknown type', datagram: () => put(valid(), (d) => d.writeUInt8(0x7f, 3)), code: 'CAMWIRE_ERR_UNKNOWN_MESSAGE' },
    { name: 'DATA cut inside its header', datagram: () => valid().subarray(0, FRAGMENT_HEADER_BYTES - 1), code: 'CAMWIRE_ERR_SHORT_DATAGRAM' },
    { name: 'DATA one payload byte short', datagram: () => valid().subarray(0, -1), code: 'CAMWIRE_ERR_SHORT_DATAGRAM' },
    { name: 'DATA one payload byte too long', datagram: () => Buffer.concat([valid(), Buffer.from([0])]), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'index equal to the fragment count', datagram: () => dataWith({ index: 4 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'index 65535', datagram: () => dataWith({ index: 65535 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'a data count that cannot hold the frame length', datagram: () => dataWith({ dataCount: 2 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'an absurd data count', datagram: () => dataWith({ dataCount: 65535 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'a frame length above maxFrameBytes', datagram: () => dataWith({ frameBytes: TEST_MAX_FRAME_BYTES + 1 }), code: 'CAMWIRE_ERR_FRAME_TOO_LARGE' },
    { name: 'a 4 GiB frame length', datagram: () => dataWith({ frameBytes: 0xffffffff }), code: 'CAMWIRE_ERR_FRAME_TOO_LARGE' },
    { name: 'a zero frame length', datagram: () => dataWith({ frameBytes: 0 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'a 1-byte fragment length (a fragment-count attack)', datagram: () => dataWith({ fragmentBytes: 1 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'more parity than data fragments', datagram: () => dataWith({ parityCount: 4 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'parity without groups', datagram: () => dataWith({ groups: 0 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'more groups than parity fragments', datagram: () => dataWith({ groups: 2 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'a parity group of more than 255 fragments', datagram: () => dataWith({ frameBytes: 300 * L, dataCount: 300, parityCount: 30, groups: 1 }), code: 'CAMWIRE_ERR_BAD_FRAGMENT' },
    { name: 'an unknown codec', datagram: () => dataWith({ codec: 9 }), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a zero width', datagram: () => dataWith({ width: 0 }), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a capture time beyond 2^53 µs', datagram: () => put(valid(), (d) => d.writeBigUInt64BE(1n << 60n, 16)), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a NACK shorter than its header', datagram: () => encodeNack({ streamId: 1, frameNo: 1, indices: [1] }).subarray(0, 13), code: 'CAMWIRE_ERR_SHORT_DATAGRAM' },
    { name: 'a NACK of zero indices', datagram: () => put(encodeNack({ streamId: 1, frameNo: 1, indices: [1] }).subarray(0, 14), (d) => d.writeUInt16BE(0, 12)), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a NACK whose count disagrees with its length', datagram: () => put(encodeNack({ streamId: 1, frameNo: 1, indices: [1, 2] }), (d) => d.writeUInt16BE(3, 12)), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a NACK of too many indices', datagram: () => put(Buffer.concat([encodeNack({ streamId: 1, frameNo: 1, indices: [1] }), Buffer.alloc(2 * MAX_NACK_INDICES)]), (d) => d.writeUInt16BE(MAX_NACK_INDICES + 1, 12)), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'an END of the wrong length', datagram: () => encodeEnd(1).subarray(0, 7), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a BYE of the wrong length', datagram: () => Buffer.concat([encodeBye(1), Buffer.from([0])]), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a HELLO that is not JSON', datagram: () => control(DatagramType.HELLO, '{role'), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a HELLO that is a JSON array', datagram: () => control(DatagramType.HELLO, '[1]'), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a HELLO without a role', datagram: () => control(DatagramType.HELLO, '{"stream":"x"}'), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a publisher HELLO without a stream id', datagram: () => control(DatagramType.HELLO, '{"role":"publish","stream":"x"}'), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a HELLO with a stream id beyond u32', datagram: () => control(DatagramType.HELLO, '{"role":"publish","stream":"x","streamId":4294967296}'), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a HELLO over 1 KiB', datagram: () => control(DatagramType.HELLO, JSON.stringify({ role: 'view', stream: 'x', agent: 'a'.repeat(1100) })), code: 'CAMWIRE_ERR_MESSAGE_TOO_LARGE' },
    { name: 'a WELCOME with refreshMs 0', datagram: () => control(DatagramType.WELCOME, '{"stream":"x","streamId":1,"refreshMs":0}'), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'a CHALLENGE without a cookie', datagram: () => control(DatagramType.CHALLENGE, '{}'), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
    { name: 'an ERROR without a code', datagram: () => control(DatagramType.ERROR, '{"message":"x"}'), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} (${c.code})`, () => {
      assert.ok(c.code in ERROR_CODES);
      const r = decodeDatagram(c.datagram(), TEST_MAX_FRAME_BYTES);
      assert.ok(isRejection(r), `accepted: ${JSON.stringify(r).slice(0, 200)}`);
      assert.equal(r.rejected, c.code, r.reason);
    });
  }

  it('accepts the unmodified datagram the cases start from', () => {
    const r = decodeDatagram(valid(), TEST_MAX_FRAME_BYTES);
    assert.ok(!isRejection(r) && r.type === 'data');
  });
});

describe('udp wire: control datagrams', () => {
  it('round-trips NACK, END, BYE, HELLO, CHALLENGE, WELCOME and ERROR', () => {
    const dec = (b: Buffer) => decodeDatagram(b, TEST_MAX_FRAME_BYTES);
    assert.deepEqual(dec(encodeNack({ streamId: 7, frameNo: 0xffffffff, indices: [0, 5, 65535] })), { type: 'nack', nack: { streamId: 7, frameNo: 0xffffffff, indices: [0, 5, 65535] } });
    assert.deepEqual(dec(encodeEnd(0xabcdef01)), { type: 'end', streamId: 0xabcdef01 });
    assert.deepEqual(dec(encodeBye(0xabcdef02)), { type: 'bye', streamId: 0xabcdef02 });
    assert.deepEqual(dec(encodeHello({ role: 'publish', stream: 'lab', streamId: 9, cookie: 'c', proof: 'p', agent: 'a' })), { type: 'hello', hello: { role: 'publish', stream: 'lab', streamId: 9, cookie: 'c', proof: 'p', agent: 'a' } });
    assert.deepEqual(dec(encodeChallenge('abc')), { type: 'challenge', cookie: 'abc' });
    assert.deepEqual(dec(encodeWelcome({ stream: 'lab', streamId: 3, refreshMs: 1000 })), { type: 'welcome', welcome: { stream: 'lab', streamId: 3, refreshMs: 1000 } });
    assert.deepEqual(dec(encodeError({ code: 'CAMWIRE_ERR_UNAUTHORIZED', message: 'no' })), { type: 'error', error: { code: 'CAMWIRE_ERR_UNAUTHORIZED', message: 'no' } });
  });

  it('drops unknown JSON keys and cuts a NACK to MAX_NACK_INDICES', () => {
    const r = decodeDatagram(control(DatagramType.HELLO, '{"role":"view","stream":"x","__proto__":{"a":1},"extra":1}'), TEST_MAX_FRAME_BYTES);
    assert.deepEqual(r, { type: 'hello', hello: { role: 'view', stream: 'x' } });
    const n = decodeDatagram(encodeNack({ streamId: 1, frameNo: 1, indices: Array.from({ length: 1000 }, (_, i) => i) }), TEST_MAX_FRAME_BYTES);
    assert.ok(!isRejection(n) && n.type === 'nack' && n.nack.indices.length === MAX_NACK_INDICES);
  });
});
