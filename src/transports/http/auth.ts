/**
 * auth: the shared-token check for HTTP and WebSocket requests. A client presents the token as
 * `Authorization: Bearer TOKEN`, or as `?token=TOKEN` where it cannot set headers (an `<img>`
 * tag, a browser WebSocket, VLC).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** presentedToken returns the token a request carries, or undefined. */
export function presentedToken(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const h = headers.authorization;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1] : (query.get('token') ?? undefined);
}

/** tokenMatches compares in constant time (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
