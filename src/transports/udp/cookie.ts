/**
 * cookie: return-routability cookies for the UDP hub. Before the hub sends a single video
 * datagram to an address, the peer must echo a cookie the hub sent to that address, proving it
 * really receives there. Without this, one forged HELLO could aim a 30 Mbit/s stream at anyone.
 *
 * A cookie is HMAC-SHA256(secret, address ‖ epoch) cut to 16 bytes; epochs last COOKIE_EPOCH_MS
 * and the previous epoch's cookie is still accepted, so nothing is stored per peer and a cookie
 * stays valid for 30–60 s. A restarted hub has a new secret: old cookies fail, peers are simply
 * challenged again.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** COOKIE_EPOCH_MS: 30 s per epoch; a peer refreshing every second always holds a fresh one. */
export const COOKIE_EPOCH_MS = 30_000;

/** CookieJar issues and checks cookies; see the file comment. */
export class CookieJar {
  private readonly secret = randomBytes(32);

  /** issue returns the cookie for `peer` (host:port) now. */
  issue(peer: string, now = Date.now()): string {
    return this.mac(peer, Math.floor(now / COOKIE_EPOCH_MS));
  }

  /** valid tells whether `cookie` was issued to `peer` in this epoch or the previous one. */
  valid(peer: string, cookie: string | undefined, now = Date.now()): boolean {
    if (!cookie) return false;
    const epoch = Math.floor(now / COOKIE_EPOCH_MS);
    const got = Buffer.from(cookie);
    return [epoch, epoch - 1].some((e) => {
      const want = Buffer.from(this.mac(peer, e));
      return got.length === want.length && timingSafeEqual(got, want);
    });
  }

  private mac(peer: string, epoch: number): string {
    return createHmac('sha256', this.secret).update(`${peer}|${epoch}`).digest().subarray(0, 16).toString('base64url');
  }
}
