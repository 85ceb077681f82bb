import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkProof, helloProof } from '../../../src/transports/udp/proof.js';

describe('udp hello proof', () => {
  const h = { role: 'view' as const, stream: 'lab' };
  it('accepts the proof made with the token and this cookie, and never contains the token', () => {
    const proof = helloProof('s3cret', 'cookie1', h);
    assert.ok(checkProof('s3cret', 'cookie1', { ...h, proof }));
    assert.ok(!proof.includes('s3cret'));
  });

  it('refuses another token, another cookie (address or epoch), another role or stream, and none', () => {
    const proof = helloProof('s3cret', 'cookie1', h);
    assert.ok(!checkProof('other', 'cookie1', { ...h, proof }));
    assert.ok(!checkProof('s3cret', 'cookie2', { ...h, proof }));
    assert.ok(!checkProof('s3cret', 'cookie1', { ...h, role: 'publish', streamId: 1, proof }));
    assert.ok(!checkProof('s3cret', 'cookie1', { ...h, stream: 'other', proof }));
    assert.ok(!checkProof('s3cret', 'cookie1', h));
    assert.ok(!checkProof('s3cret', 'cookie1', { ...h, proof: proof.slice(1) }), 'a shorter proof');
  });
});
