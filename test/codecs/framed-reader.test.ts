import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FramedReader, type FramedFormat } from '../../src/codecs/framed-reader.js';
import { createError, isCamwireError } from '../../src/util/errors.js';
import { Prng } from '../../support/prng.js';

/** A toy wire: [u16 BE n][n bytes], n ≤ 100; a body starting with '!' is malformed. */
function toy(seen: number[] = []): FramedFormat<string> {
  return {
    headerBytes: 2,
    header(h) {
      const n = h.readUInt16BE(0);
      seen.push(n);
      if (n > 100) throw createError('CAMWIRE_ERR_FRAME_TOO_LARGE', `declared ${n} > 100`);
      return n;
    },
    body(b) {
      if (b[0] === 0x21) throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'bang');
      return b.toString();
    },
  };
}

function msg(text: string): Buffer {
  const h = Buffer.alloc(2);
  h.writeUInt16BE(Buffer.byteLength(text));
  return Buffer.concat([h, Buffer.from(text)]);
}

test('messages come out whole and in order whatever the chunking, empty bodies included', () => {
  const rng = new Prng(11);
  const texts = ['hello', '', 'x'.repeat(100), 'camwire', '', 'z'];
  const input = Buffer.concat(texts.map(msg));
  for (let round = 0; round < 200; round++) {
    const r = new FramedReader(toy());
    const out: string[] = [];
    for (let off = 0; off < input.length; ) {
      const n = rng.int(12); // includes empty chunks
      out.push(...r.push(input.subarray(off, off + n)));
      off += n;
    }
    assert.deepEqual(out, texts);
    assert.equal(r.midMessage, false);
    assert.equal(r.bufferedBytes, 0);
    r.end('toy: '); // between messages: no error
  }
});

test('an oversized declared length is refused at the header, before one body byte is held', () => {
  const seen: number[] = [];
  const r = new FramedReader(toy(seen));
  const h = Buffer.from([0x01, 0x00]); // 256 > 100
  assert.throws(() => r.push(h), (e: unknown) => isCamwireError(e) && e.code === 'CAMWIRE_ERR_FRAME_TOO_LARGE');
  assert.deepEqual(seen, [256]);
  assert.equal(r.bufferedBytes, 0, 'nothing held after the refusal');
  // After a failure further input is ignored, not parsed.
  assert.deepEqual(r.push(msg('late')), []);
  assert.equal(r.bufferedBytes, 0);
  r.end('toy: '); // a failed reader does not report truncation on top
});

test('a body error fails the reader and drops what it held', () => {
  const r = new FramedReader(toy());
  assert.throws(() => r.push(Buffer.concat([msg('ok'), msg('!no'), msg('after')])), (e: unknown) => isCamwireError(e) && e.code === 'CAMWIRE_ERR_MALFORMED_MESSAGE');
  assert.equal(r.bufferedBytes, 0);
});

test('max stops after that many messages and keeps the rest for the next push', () => {
  const r = new FramedReader(toy());
  const input = Buffer.concat([msg('a'), msg('b'), msg('c')]);
  assert.deepEqual(r.push(input, 1), ['a']);
  assert.equal(r.bufferedBytes, 6);
  assert.deepEqual(r.push(Buffer.alloc(0), 1), ['b']);
  assert.deepEqual(r.push(Buffer.alloc(0)), ['c']);
});

test('end mid-header or mid-body is CAMWIRE_ERR_TRUNCATED naming the wire and the bytes held', () => {
  // [bytes sent of a 7-byte message, bytes the reader still holds] (a complete header is consumed).
  for (const [cut, held] of [[1, 1], [2, 0], [4, 2]]) {
    const r = new FramedReader(toy());
    r.push(msg('hello').subarray(0, cut));
    assert.equal(r.midMessage, true);
    assert.throws(
      () => r.end('toy: '),
      (e: unknown) => isCamwireError(e) && e.code === 'CAMWIRE_ERR_TRUNCATED' && e.message.startsWith('toy: connection closed mid-message') && e.message.includes(`(${held} bytes of it held)`),
    );
  }
});
