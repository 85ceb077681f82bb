/**
 * proof: how a UDP hub peer shows it holds the --token without sending it (pure). The hub's
 * CHALLENGE cookie is the server nonce; the peer answers with
 *
 *     key   = HMAC-SHA256(token, "camwire udp hello v1")
 *     proof = HMAC-SHA256(key, cookie ‖ "\n" ‖ role ‖ "\n" ‖ stream ‖ "\n" ‖ streamId)   (base64url)
 *
 * so a sniffer sees a proof bound to one address (the cookie) and one 30–60 s cookie epoch,
 * never the token, and cannot turn it into a HELLO for another role, stream or address.
 * Compared in constant time. (When src/auth lands, its salted SCRAM key derivation and
 * `safeEqual` replace `helloKey` and the compare here.)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Hello } from './control.js';

/** PROOF_LABEL separates this key from any other use of the token. */
export const PROOF_LABEL = 'camwire udp hello v1';

/** helloKey derives the proof key from the credential. */
export function helloKey(token: string): Buffer {
  return createHmac('sha256', token).update(PROOF_LABEL).digest();
}

/** helloProof is what a HELLO carrying `cookie` must hold as `proof`. */
export function helloProof(token: string, cookie: string, h: Pick<Hello, 'role' | 'stream' | 'streamId'>): string {
  return createHmac('sha256', helloKey(token)).update(`${cookie}\n${h.role}\n${h.stream}\n${h.streamId ?? ''}`).digest('base64url');
}

/** checkProof tells, in constant time, whether a HELLO's proof was made with `token`. */
export function checkProof(token: string, cookie: string, h: Pick<Hello, 'role' | 'stream' | 'streamId' | 'proof'>): boolean {
  const want = Buffer.from(helloProof(token, cookie, h));
  const got = Buffer.from(h.proof ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}
