import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CONTROL_MESSAGE_BYTES, MAX_SUBSCRIPTIONS, parseClientMessage } from '../../../src/transports/ws/control.js';
import { isCamwireError } from '../../../src/util/errors.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `cam${i}`);

describe('ws control messages', () => {
  it('accepts a subscription and drops duplicate names', () => {
    assert.deepEqual(parseClientMessage('{"type":"subscribe","streams":["a","yard/cam1","a"]}'), { type: 'subscribe', streams: ['a', 'yard/cam1'], ack: false });
  });

  it('accepts a subscription that asks for flow control, and acks', () => {
    assert.deepEqual(parseClientMessage('{"type":"subscribe","streams":["a"],"ack":true}'), { type: 'subscribe', streams: ['a'], ack: true });
    assert.deepEqual(parseClientMessage('{"type":"ack","stream":"yard/cam1"}'), { type: 'ack', stream: 'yard/cam1' });
  });

  it(`accepts exactly ${MAX_SUBSCRIPTIONS} streams of the longest name`, () => {
    const streams = Array.from({ length: MAX_SUBSCRIPTIONS }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(62)}`);
    const text = JSON.stringify({ type: 'subscribe', streams });
    assert.ok(text.length <= MAX_CONTROL_MESSAGE_BYTES);
    const m = parseClientMessage(text);
    assert.ok(m.type === 'subscribe' && m.streams.length === MAX_SUBSCRIPTIONS);
  });

  const BAD: [string, string, string][] = [
    ['text that is not JSON', 'subscribe lab', 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['a JSON array', '["subscribe"]', 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['JSON null', 'null', 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['an unknown type', '{"type":"publish","streams":[]}', 'CAMWIRE_ERR_UNKNOWN_MESSAGE'],
    ['a missing type', '{"streams":[]}', 'CAMWIRE_ERR_UNKNOWN_MESSAGE'],
    ['streams that is not an array', '{"type":"subscribe","streams":"lab"}', 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['a name that is not a string', '{"type":"subscribe","streams":[7]}', 'CAMWIRE_ERR_BAD_STREAM_NAME'],
    ['a name with ..', '{"type":"subscribe","streams":["a/../b"]}', 'CAMWIRE_ERR_BAD_STREAM_NAME'],
    ['a name of 65 characters', JSON.stringify({ type: 'subscribe', streams: ['x'.repeat(65)] }), 'CAMWIRE_ERR_BAD_STREAM_NAME'],
    [`${MAX_SUBSCRIPTIONS + 1} streams`, JSON.stringify({ type: 'subscribe', streams: names(MAX_SUBSCRIPTIONS + 1) }), 'CAMWIRE_ERR_TOO_MANY_SUBSCRIPTIONS'],
    ['"ack" that is not a boolean', '{"type":"subscribe","streams":[],"ack":"yes"}', 'CAMWIRE_ERR_MALFORMED_MESSAGE'],
    ['an ack without a stream', '{"type":"ack"}', 'CAMWIRE_ERR_BAD_STREAM_NAME'],
    ['an ack for a bad name', '{"type":"ack","stream":"/x"}', 'CAMWIRE_ERR_BAD_STREAM_NAME'],
    ['a message over the size limit', JSON.stringify({ type: 'subscribe', streams: [], pad: 'x'.repeat(MAX_CONTROL_MESSAGE_BYTES) }), 'CAMWIRE_ERR_MESSAGE_TOO_LARGE'],
  ];
  for (const [name, text, code] of BAD) {
    it(`rejects ${name} with ${code}`, () => {
      assert.throws(() => parseClientMessage(text), (e: unknown) => isCamwireError(e, code as never));
    });
  }
});
