/**
 * safe-equal: THE constant-time comparison. Every secret, token, proof or key camwire compares
 * goes through here (TCP, UDP, HTTP, WebSocket, the credentials file), never `===`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * safeEqual compares two strings or byte strings in time that depends only on their lengths'
 * digest, not on where they first differ. Both sides are hashed with SHA-256 first, so inputs of
 * different lengths are compared without leaking the expected length either.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  // The length check is explicit so a zero-length secret never matches a non-empty one by accident.
  return timingSafeEqual(ha, hb) && byteLength(a) === byteLength(b);
}

function byteLength(v: string | Buffer): number {
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}
