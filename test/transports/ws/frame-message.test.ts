import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrameMessage, encodeFrameMessage, WS_FRAME_HEADER_BYTES, type WsFrame } from '../../../src/transports/ws/frame-message.js';
import { isCamwireError } from '../../../src/util/errors.js';

const frame = (over: Partial<WsFrame> = {}): WsFrame => ({
  stream: 'lab',
  codec: 'mjpeg',
  keyframe: true,
  seq: 7,
  captureUs: 1_767_225_600_123_456,
  width: 1280,
  height: 720,
  payload: Uint8Array.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]),
  ...over,
});

const CASES: [string, WsFrame][] = [
  ['a JPEG frame', frame()],
  ['an H.264 delta frame', frame({ codec: 'h264', keyframe: false })],
  ['a grouped 64-character name', frame({ stream: 'site/' + 'a'.repeat(59) })],
  ['the largest seq and size', frame({ seq: 0xffffffff, width: 65535, height: 65535 })],
  ['a capture time past 2^32 µs and below 2^53', frame({ captureUs: 2 ** 53 - 1 })],
  ['an empty payload', frame({ payload: new Uint8Array(0) })],
];

describe('ws frame message', () => {
  for (const [name, f] of CASES) {
    it(`round-trips ${name}`, () => {
      const b = encodeFrameMessage(f);
      assert.equal(b.length, WS_FRAME_HEADER_BYTES + f.stream.length + f.payload.length);
      const d = decodeFrameMessage(b);
      assert.deepEqual({ ...d, payload: [...d.payload] }, { ...f, payload: [...f.payload] });
    });
  }

  it('lays out the header as documented', () => {
    const b = encodeFrameMessage(frame({ stream: 'ab', seq: 0x01020304, captureUs: 0x0102_0304_0506, width: 640, height: 480 }));
    assert.deepEqual([...b.subarray(0, 22)], [1, 0, 1, 2, 1, 2, 3, 4, 0, 0, 1, 2, 3, 4, 5, 6, 0x02, 0x80, 0x01, 0xe0, 0x61, 0x62]);
  });

  it('decodes a message that sits at an offset inside a larger buffer', () => {
    const b = encodeFrameMessage(frame());
    const big = new Uint8Array(b.length + 10);
    big.set(b, 5);
    assert.equal(decodeFrameMessage(big.subarray(5, 5 + b.length)).seq, 7);
  });

  const good = encodeFrameMessage(frame());
  const MALFORMED: [string, Uint8Array, string][] = [
    ['an empty message', new Uint8Array(0), 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['a header cut short', good.subarray(0, WS_FRAME_HEADER_BYTES - 1), 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['an unknown kind', patch(good, 0, 9), 'CAMWIRE_ERR_UNKNOWN_MESSAGE'],
    ['an unknown codec', patch(good, 1, 7), 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['a zero-length name', patch(good, 3, 0), 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['a name longer than 64', patch(good, 3, 65), 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['a name running past the end', patch(good.subarray(0, WS_FRAME_HEADER_BYTES + 2), 3, 3), 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['a zero width', patch(patch(good, 16, 0), 17, 0), 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['a name that climbs directories', withName(good, '..'), 'CAMWIRE_ERR_BAD_STREAM_NAME'],
  ];
  for (const [name, b, code] of MALFORMED) {
    it(`rejects ${name} with ${code}`, () => {
      assert.throws(() => decodeFrameMessage(b), (e: unknown) => isCamwireError(e, code as never));
    });
  }

  it('refuses to encode a bad stream name', () => {
    assert.throws(() => encodeFrameMessage(frame({ stream: '../x' })), (e: unknown) => isCamwireError(e, 'CAMWIRE_ERR_BAD_STREAM_NAME'));
  });

  it('throws only typed errors on random input (seeded fuzz)', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 5000; i++) {
      const b = i % 2 ? Uint8Array.from(good) : new Uint8Array(Math.floor(rnd() * 100));
      for (let k = 0; k < 1 + rnd() * 4; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        decodeFrameMessage(b);
      } catch (e) {
        assert.ok(isCamwireError(e), `untyped error ${e}`);
      }
    }
  });
});

function patch(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[at] = v;
  return c;
}

function withName(b: Uint8Array, name: string): Uint8Array {
  const c = Uint8Array.from(b);
  c[3] = name.length;
  for (let i = 0; i < name.length; i++) c[WS_FRAME_HEADER_BYTES + i] = name.charCodeAt(i);
  return c;
}
