/**
 * callback: the HTTP auth callback (`authHttpUrl`) for people with their own identity system,
 * like MediaMTX's `authHTTPAddress` or nginx-rtmp's `on_publish`. camwire POSTs
 *
 *   { "user": "alice", "action": "view", "stream": "door", "address": "192.168.1.5",
 *     "transport": "http", "authenticated": false, "secret": "…" }
 *
 * and allows on any 2xx answer; anything else — another status, a timeout, a refused
 * connection — denies. `secret` is present only where the peer sent one (HTTP, WebSocket);
 * TCP and UDP peers never send theirs, so for them the callback sees `authenticated: true` with
 * the user the auth file verified, or `false` with user ''. Answers are cached briefly so a
 * viewer's snapshot polling does not become one callback per image.
 */
import { createLogger } from '../util/logger.js';
import type { AuthRequest, Decision } from './types.js';
import { TtlCache } from './limiter.js';

const log = createLogger('auth');

/** CallbackOptions configures the HTTP auth callback. */
export interface CallbackOptions {
  url: string;
  /** timeoutMs: 2 s: an identity service slower than that would stall every connect. */
  timeoutMs?: number;
  /** cacheMs: 10 s: short enough that a revoked user is out quickly, long enough to absorb polling. */
  cacheMs?: number;
}

/** CallbackQuery is what the callback is asked. */
export interface CallbackQuery extends AuthRequest {
  user: string;
  authenticated: boolean;
  secret?: string;
}

/** CALLBACK_CACHE_ENTRIES bounds the decision cache. */
const CALLBACK_CACHE_ENTRIES = 1024;

/** AuthCallback asks the configured URL, with a short cache. */
export class AuthCallback {
  private readonly cache: TtlCache<boolean>;
  private readonly timeoutMs: number;

  constructor(private readonly opts: CallbackOptions) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.cache = new TtlCache(CALLBACK_CACHE_ENTRIES, opts.cacheMs ?? 10_000);
  }

  /** ask returns the callback's decision for `q`. */
  async ask(q: CallbackQuery): Promise<Decision> {
    const parts = [q.user, String(q.authenticated), q.secret ?? '\0', q.action, q.stream ?? '\0', q.address, q.transport];
    let allowed = this.cache.get(parts);
    if (allowed === undefined) {
      allowed = await this.post(q);
      this.cache.set(parts, allowed);
    }
    if (allowed) return { ok: true, user: q.user };
    const code = q.authenticated || q.secret !== undefined ? 'CAMWIRE_ERR_FORBIDDEN' : 'CAMWIRE_ERR_UNAUTHORIZED';
    return { ok: false, code, message: `the auth service refused ${q.action}${q.stream ? ` on "${q.stream}"` : ''} for ${q.user ? `user "${q.user}"` : 'an anonymous peer'}` };
  }

  private async post(q: CallbackQuery): Promise<boolean> {
    const body = JSON.stringify({ user: q.user, action: q.action, stream: q.stream ?? null, address: q.address, transport: q.transport, authenticated: q.authenticated, ...(q.secret !== undefined ? { secret: q.secret } : {}) });
    try {
      const r = await fetch(this.opts.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'manual' });
      await r.body?.cancel();
      return r.status >= 200 && r.status < 300;
    } catch (e) {
      log.warn(`auth callback failed (${(e as Error).name === 'TimeoutError' ? `no answer in ${this.timeoutMs} ms` : (e as Error).message}); denying`);
      return false;
    }
  }
}
