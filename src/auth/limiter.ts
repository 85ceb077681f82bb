/**
 * limiter: the bookkeeping that keeps secret checks cheap for good peers and expensive for
 * nobody. A per-address failure budget stops online guessing and stops a stranger from using the
 * HTTP scrypt check as a CPU bomb; a small cache of recently verified secrets means a viewer
 * polling snapshots with its token pays for scrypt once, not per request.
 */
import { createHash } from 'node:crypto';
import { normalizeAddress } from './address-policy.js';

/** FailureLimiter allows `maxFailures` failed attempts per address per window, then refuses until the window ends. */
export class FailureLimiter {
  private readonly byAddress = new Map<string, { count: number; since: number }>();
  constructor(
    /** maxFailures: 10 wrong secrets a minute is plenty for a typo, useless for guessing. */
    private readonly maxFailures = 10,
    private readonly windowMs = 60_000,
    /** maxAddresses bounds the table; the oldest entry goes first (an attacker with many addresses only forgets its own). */
    private readonly maxAddresses = 4096,
  ) {}

  /** blocked tells whether `address` has used up its failures in the current window. */
  blocked(address: string, now = Date.now()): boolean {
    const e = this.byAddress.get(normalizeAddress(address));
    return e !== undefined && now - e.since < this.windowMs && e.count >= this.maxFailures;
  }

  /** fail records one failed attempt. */
  fail(address: string, now = Date.now()): void {
    const a = normalizeAddress(address);
    const e = this.byAddress.get(a);
    if (e && now - e.since < this.windowMs) {
      e.count++;
      return;
    }
    this.byAddress.delete(a);
    if (this.byAddress.size >= this.maxAddresses) this.byAddress.delete(this.byAddress.keys().next().value as string);
    this.byAddress.set(a, { count: 1, since: now });
  }
}

/** TtlCache is a bounded map whose entries expire; keys are hashed, so no secret is kept in the clear. */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; until: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  /** get returns the live value for `parts`, if any. */
  get(parts: readonly string[], now = Date.now()): V | undefined {
    const k = key(parts);
    const e = this.map.get(k);
    if (!e) return undefined;
    if (e.until <= now) {
      this.map.delete(k);
      return undefined;
    }
    return e.value;
  }

  /** set stores `value` for `parts`, evicting the oldest entry when full. */
  set(parts: readonly string[], value: V, now = Date.now()): void {
    const k = key(parts);
    this.map.delete(k);
    if (this.map.size >= this.maxEntries) this.map.delete(this.map.keys().next().value as string);
    this.map.set(k, { value, until: now + this.ttlMs });
  }

  /** clear forgets everything (credentials reloaded). */
  clear(): void {
    this.map.clear();
  }
}

function key(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p.length)).update(':').update(p);
  return h.digest('base64');
}
