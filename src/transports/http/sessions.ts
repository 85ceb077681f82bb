/**
 * sessions: the viewer page's login sessions. A browser that logged in (POST /api/session,
 * login.ts) holds a random session id in an HttpOnly, SameSite=Strict cookie (Secure under HTTPS);
 * the hub keeps what it logged in with and checks THAT on every request, exactly as if the
 * browser had sent it in an Authorization header — so per-stream rules, the auth callback and a
 * removed user apply to a logged-in page as to any other client.
 *
 * Sessions live in memory (a restarted hub asks again), at most MAX_SESSIONS of them (the oldest
 * goes first), each for SESSION_TTL_MS after its last use.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Presented } from '../../auth/index.js';

/** MAX_SESSIONS: more logged-in browsers than any hub has screens; bounds memory (~200 B each). */
export const MAX_SESSIONS = 1024;
/** SESSION_TTL_MS: a page unused for 12 hours logs in again (a wall screen in use never does). */
export const SESSION_TTL_MS = 12 * 3600_000;

/** Session is one logged-in browser. */
export interface LoginSession {
  /** credential it logged in with; re-checked on every request. */
  readonly presented: Presented;
  lastUsed: number;
}

/** LoginSessions holds the sessions of one HTTP listener; see the file comment. */
export class LoginSessions {
  /** Keyed by a hash of the id, so the map never holds a cookie value an attacker could time a lookup against. */
  private readonly byHash = new Map<string, LoginSession>();

  /**
   * constructor: `cookieName` carries the listener's port, because browsers scope cookies by
   * host but not by port — two hubs (or two `camwire view` pages) on one machine must not
   * overwrite each other's session.
   */
  constructor(readonly cookieName: string) {}

  /** create starts a session for `presented` and returns its id (the cookie value). */
  create(presented: Presented, now = Date.now()): string {
    const id = randomBytes(32).toString('base64url');
    if (this.byHash.size >= MAX_SESSIONS) this.byHash.delete(this.byHash.keys().next().value!);
    this.byHash.set(hash(id), { presented, lastUsed: now });
    return id;
  }

  /** get returns the live session whose id the request's cookie carries, refreshing its age. */
  get(cookieHeader: string | undefined, now = Date.now()): LoginSession | undefined {
    const id = this.idFrom(cookieHeader);
    if (id === undefined) return undefined;
    const key = hash(id);
    const s = this.byHash.get(key);
    if (!s) return undefined;
    this.byHash.delete(key);
    if (now - s.lastUsed > SESSION_TTL_MS) return undefined;
    s.lastUsed = now;
    this.byHash.set(key, s); // re-inserted: the map's order is least recently used first
    return s;
  }

  /** end forgets the session the cookie names (logout). */
  end(cookieHeader: string | undefined): void {
    const id = this.idFrom(cookieHeader);
    if (id !== undefined) this.byHash.delete(hash(id));
  }

  /** size is the number of sessions held. */
  get size(): number {
    return this.byHash.size;
  }

  /** setCookie is the Set-Cookie value that stores `id` (Secure when the page is HTTPS). */
  setCookie(id: string, secure: boolean): string {
    return `${this.cookieName}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}; Max-Age=${SESSION_TTL_MS / 1000}`;
  }

  /** clearCookie is the Set-Cookie value that removes the cookie (logout). */
  clearCookie(secure: boolean): string {
    return `${this.cookieName}=; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}; Max-Age=0`;
  }

  private idFrom(cookieHeader: string | undefined): string | undefined {
    if (!cookieHeader || cookieHeader.length > 8192) return undefined;
    for (const part of cookieHeader.split(';')) {
      const i = part.indexOf('=');
      if (i > 0 && part.slice(0, i).trim() === this.cookieName) {
        const v = part.slice(i + 1).trim();
        return /^[A-Za-z0-9_-]{43}$/.test(v) ? v : undefined;
      }
    }
    return undefined;
  }
}

function hash(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}
