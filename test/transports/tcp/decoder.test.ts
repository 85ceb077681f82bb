import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../../src/transports/tcp/decoder.js';
import {
  encodeChallenge,
  encodeEnd,
  encodeError,
  encodeFrame,
  encodeHello,
  encodeKeepalive,
  encodeProof,
  encodeWelcome,
  header,
  MessageType,
  type Message,
} from '../../../src/transports/tcp/messages.js';
import { isCamwireError, type ErrorCode } from '../../../src/util/errors.js';
import { Prng } from '../../../support/prng.js';

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x02, 0xff, 0xd9]);

/** Named round-trip cases: each message encoded, then decoded back to the same value. */
const CASES: { name: string; bytes: Buffer; message: Message }[] = [
  { name: 'HELLO publish', bytes: encodeHello({ role: 'publish', stream: 'lab' }), message: { type: 'hello', hello: { role: 'publish', stream: 'lab', agent: undefined, user: undefined, nonce: undefined }, bytes: 33 } },
  {
    name: 'HELLO view with user, nonce, pad and agent (pad dropped)',
    bytes: encodeHello({ role: 'view', stream: '', user: 'cam', nonce: 'bm9uY2Vub25jZQ==', pad: '...', agent: 'camwire/0.1' }),
    message: { type: 'hello', hello: { role: 'view', stream: '', user: 'cam', nonce: 'bm9uY2Vub25jZQ==', agent: 'camwire/0.1' }, bytes: 101 },
  },
  { name: 'CHALLENGE', bytes: encodeChallenge({ salt: 'c2FsdA==', n: 1024, r: 8, p: 1, nonce: 'bm9uY2U=' }), message: { type: 'challenge', challenge: { salt: 'c2FsdA==', n: 1024, r: 8, p: 1, nonce: 'bm9uY2U=' }, bytes: 59 } },
  { name: 'PROOF', bytes: encodeProof({ proof: 'cHJvb2Y=' }), message: { type: 'proof', proof: { proof: 'cHJvb2Y=' } } },
  { name: 'WELCOME', bytes: encodeWelcome({ stream: 'lab', keepaliveMs: 2000 }), message: { type: 'welcome', welcome: { stream: 'lab', keepaliveMs: 2000, agent: undefined, signature: undefined } } },
  { name: 'WELCOME with signature', bytes: encodeWelcome({ stream: 'lab', keepaliveMs: 2000, signature: 'c2ln' }), message: { type: 'welcome', welcome: { stream: 'lab', keepaliveMs: 2000, agent: undefined, signature: 'c2ln' } } },
  { name: 'KEEPALIVE', bytes: encodeKeepalive(), message: { type: 'keepalive' } },
  { name: 'END', bytes: encodeEnd(), message: { type: 'end' } },
  { name: 'ERROR', bytes: encodeError({ code: 'CAMWIRE_ERR_STREAM_BUSY', message: 'busy' }), message: { type: 'error', error: { code: 'CAMWIRE_ERR_STREAM_BUSY', message: 'busy' } } },
  {
    name: 'FRAME mjpeg',
    bytes: Buffer.concat(encodeFrame({ codec: 'mjpeg', keyframe: true, seq: 42, captureUs: 1_763_000_000_123_456, width: 1280, height: 720, payload: jpeg })),
    message: { type: 'frame', frame: { codec: 'mjpeg', keyframe: true, seq: 42, captureUs: 1_763_000_000_123_456, width: 1280, height: 720, payload: jpeg } },
  },
  {
    name: 'FRAME h264 non-key, max seq and size',
    bytes: Buffer.concat(encodeFrame({ codec: 'h264', keyframe: false, seq: 0xffffffff, captureUs: 1, width: 65535, height: 65535, payload: Buffer.from([0, 0, 0, 1, 0x41, 0x9a]) })),
    message: { type: 'frame', frame: { codec: 'h264', keyframe: false, seq: 0xffffffff, captureUs: 1, width: 65535, height: 65535, payload: Buffer.from([0, 0, 0, 1, 0x41, 0x9a]) } },
  },
  {
    name: 'FRAME with empty payload',
    bytes: Buffer.concat(encodeFrame({ codec: 'h264', keyframe: true, seq: 0, captureUs: 0, width: 1, height: 1, payload: Buffer.alloc(0) })),
    message: { type: 'frame', frame: { codec: 'h264', keyframe: true, seq: 0, captureUs: 0, width: 1, height: 1, payload: Buffer.alloc(0) } },
  },
];

const ALL = Buffer.concat(CASES.map((c) => c.bytes));
const EXPECTED = CASES.map((c) => c.message);

function decodeAll(chunks: Buffer[], maxFrameBytes?: number): Message[] {
  const d = new Decoder({ maxFrameBytes, authenticated: true });
  const out = chunks.flatMap((c) => d.push(c));
  d.end();
  return out;
}

for (const c of CASES) {
  test(`round-trips ${c.name}`, () => {
    assert.deepEqual(decodeAll([c.bytes]), [c.message]);
  });
}

test('decodes every message identically when the input is split at every byte offset', () => {
  for (let i = 0; i <= ALL.length; i++) {
    assert.deepEqual(decodeAll([ALL.subarray(0, i), ALL.subarray(i)]), EXPECTED, `split at ${i}`);
  }
});

test('decodes the whole sequence fed one byte at a time', () => {
  const chunks = Array.from(ALL, (b) => Buffer.from([b]));
  assert.deepEqual(decodeAll(chunks), EXPECTED);
});

const frameHeader = (len: number) => header(MessageType.FRAME, len);

/** Named malformed inputs, each with the typed error it must produce. */
const MALFORMED: { name: string; bytes: Buffer; code: ErrorCode; atEnd?: boolean }[] = [
  { name: 'short header then close', bytes: Buffer.from([0x43, 0x57, 0x01]), code: 'CAMWIRE_ERR_TRUNCATED', atEnd: true },
  { name: 'bad magic', bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n'), code: 'CAMWIRE_ERR_BAD_MAGIC' },
  { name: 'unknown version', bytes: Buffer.from([0x43, 0x57, 0x02, 0x04, 0, 0, 0, 0]), code: 'CAMWIRE_ERR_UNSUPPORTED_VERSION' },
  { name: 'unknown message type', bytes: Buffer.from([0x43, 0x57, 0x01, 0x7f, 0, 0, 0, 0]), code: 'CAMWIRE_ERR_UNKNOWN_MESSAGE' },
  { name: 'oversized frame length (4 GiB)', bytes: frameHeader(0xffffffff), code: 'CAMWIRE_ERR_FRAME_TOO_LARGE' },
  { name: 'oversized control message', bytes: header(MessageType.HELLO, 4097), code: 'CAMWIRE_ERR_MESSAGE_TOO_LARGE' },
  { name: 'frame body shorter than the frame header', bytes: frameHeader(19), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
  { name: 'keepalive with a body', bytes: header(MessageType.KEEPALIVE, 1), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
  { name: 'truncated payload', bytes: Buffer.concat(encodeFrame({ codec: 'mjpeg', keyframe: true, seq: 1, captureUs: 1, width: 2, height: 2, payload: jpeg })).subarray(0, 33), code: 'CAMWIRE_ERR_TRUNCATED', atEnd: true },
  { name: 'unknown codec id', bytes: Buffer.concat([frameHeader(20), Buffer.from([9]), Buffer.alloc(15), Buffer.from([0, 1, 0, 1])]), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
  { name: 'zero width', bytes: Buffer.concat([frameHeader(20), Buffer.alloc(16), Buffer.from([0, 0, 0, 1])]), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
  { name: 'HELLO that is not JSON', bytes: Buffer.concat([header(MessageType.HELLO, 3), Buffer.from('{{{')]), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
  { name: 'HELLO with an unknown role', bytes: encodeHelloRaw({ role: 'admin', stream: 'x' }), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
  { name: 'HELLO that is a JSON array', bytes: encodeHelloRaw([1, 2]), code: 'CAMWIRE_ERR_MALFORMED_MESSAGE' },
  { name: 'garbage', bytes: Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)), code: 'CAMWIRE_ERR_BAD_MAGIC' },
];

function encodeHelloRaw(o: unknown): Buffer {
  const b = Buffer.from(JSON.stringify(o));
  return Buffer.concat([header(MessageType.HELLO, b.length), b]);
}

for (const m of MALFORMED) {
  test(`rejects ${m.name} with ${m.code}`, () => {
    const d = new Decoder({ authenticated: true });
    assert.throws(
      () => {
        d.push(m.bytes);
        if (m.atEnd) d.end();
      },
      (e) => isCamwireError(e, m.code),
    );
  });
}

test('rejects a frame whose declared length exceeds maxFrameBytes before buffering any of it', () => {
  const d = new Decoder({ maxFrameBytes: 1000, authenticated: true });
  const ok = Buffer.concat(encodeFrame({ codec: 'h264', keyframe: true, seq: 1, captureUs: 1, width: 2, height: 2, payload: Buffer.alloc(1000) }));
  assert.equal(d.push(ok).length, 1);
  const tooBig = Buffer.concat(encodeFrame({ codec: 'h264', keyframe: true, seq: 2, captureUs: 1, width: 2, height: 2, payload: Buffer.alloc(1001) }));
  // Only the 8-byte header is needed to refuse it: the body is never waited for.
  assert.throws(() => d.push(tooBig.subarray(0, 8)), (e) => isCamwireError(e, 'CAMWIRE_ERR_FRAME_TOO_LARGE'));
  assert.equal(d.bufferedBytes, 0);
});

test('before the handshake is accepted, refuses a FRAME at its header with no body byte buffered', () => {
  const d = new Decoder();
  const frame = Buffer.concat(encodeFrame({ codec: 'mjpeg', keyframe: true, seq: 1, captureUs: 1, width: 2, height: 2, payload: Buffer.alloc(16 * 1024 * 1024) }));
  // The header arrives together with the first 64 KiB of body, as one socket read would bring them.
  assert.throws(() => d.push(frame.subarray(0, 64 * 1024)), (e) => isCamwireError(e, 'CAMWIRE_ERR_UNEXPECTED_MESSAGE') && /before the handshake/.test((e as Error).message));
  assert.equal(d.bufferedBytes, 0);
  const ok = new Decoder();
  assert.equal(ok.push(encodeHello({ role: 'view', stream: 'x' }))[0]?.type, 'hello', 'control messages are read before it');
  ok.authenticated = true;
  assert.equal(ok.push(frame.subarray(0, 1024)).length, 0, 'after it, frames are read');
});

test('holds at most one message of unparsed input while a large frame arrives in pieces', () => {
  const d = new Decoder({ authenticated: true });
  const big = Buffer.concat(encodeFrame({ codec: 'mjpeg', keyframe: true, seq: 1, captureUs: 1, width: 2, height: 2, payload: Buffer.alloc(100_000, 7) }));
  let max = 0;
  for (let i = 0; i < big.length; i += 1000) {
    d.push(big.subarray(i, i + 1000));
    max = Math.max(max, d.bufferedBytes);
  }
  assert.ok(max <= big.length - 8, `buffered ${max}`);
  assert.equal(d.bufferedBytes, 0);
});

test('a seeded fuzz loop (flip, insert, cut) never throws anything but a CamwireError and never over-buffers', () => {
  const rng = new Prng(12345);
  const kinds = { flip: 0, insert: 0, cut: 0 };
  let accepted = 0;
  let rejected = 0;
  for (let round = 0; round < 2000; round++) {
    // Mutate valid input: flip, insert or cut bytes (1–4 mutations), then feed it in random chunks.
    let b = Buffer.from(ALL);
    for (let m = 1 + rng.int(4); m > 0; m--) {
      const at = rng.int(b.length);
      const kind = (['flip', 'insert', 'cut'] as const)[rng.int(3)];
      kinds[kind]++;
      if (kind === 'flip') b[at] = rng.int(256);
      else if (kind === 'insert') b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(16)), b.subarray(at)]);
      else b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(16)))]);
    }
    const d = new Decoder({ maxFrameBytes: 4096, authenticated: true });
    try {
      for (let off = 0; off < b.length; ) {
        const n = 1 + rng.int(64);
        d.push(b.subarray(off, off + n));
        assert.ok(d.bufferedBytes <= 4096 + 20 + 8 + 64);
        off += n;
      }
      d.end();
      accepted++;
    } catch (e) {
      assert.ok(isCamwireError(e), `round ${round}: ${e}`);
      rejected++;
    }
  }
  // Both outcomes must occur, or the loop tests nothing: all-rejected means the mutations always
  // hit the header, all-accepted means the decoder checks nothing.
  assert.ok(accepted >= 20 && rejected >= 20, `accepted ${accepted}, rejected ${rejected}`);
  for (const [kind, n] of Object.entries(kinds)) assert.ok(n >= 500, `${kind}: ${n} mutations`);
});
