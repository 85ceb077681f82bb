/**
 * peer-limits: who may hold a connection slot, and how much unauthenticated input the hub holds
 * (pure: no sockets, time passed in). One `PeerLimits` per listener family (TCP, HTTP, UDP);
 * the budget may be shared between them so the hub-wide cap holds across transports.
 *
 * The limits, each a config key (src/config/defaults.ts has the reasons, docs/config.md the table):
 *
 * | key                        | unit              | refuses                                                         |
 * |----------------------------|-------------------|-----------------------------------------------------------------|
 * | `maxConnections`           | connections       | any peer once this many are open                                 |
 * | `reservedConnections`      | connections       | unauthenticated peers once `maxConnections − reserved` are open  |
 * | `maxConnectionsPerAddress` | connections       | a peer whose address (IPv6: its /64) already holds this many     |
 * | `handshakesPerSecond`      | handshakes/s      | a peer whose address opened more than this, averaged (token bucket) |
 * | `handshakeBurst`           | handshakes        | ... more than this in one burst                                  |
 * | `preAuthBudgetBytes`       | bytes, hub-wide   | input buffered for unauthenticated peers beyond this, summed     |
 * | `preAuthPeerBytes`         | bytes, per peer   | input buffered for one unauthenticated peer beyond this          |
 *
 * "Authenticated" means the peer's handshake was accepted (with no auth configured: any valid
 * HELLO). `reservedConnections < maxConnections` is checked with the config (config/schema). An authenticated peer stops counting against the unauthenticated share, so viewers
 * that proved who they are keep `reservedConnections` slots however many strangers connect.
 */
import type { Config } from '../config/defaults.js';
import { createError, type CamwireError } from './errors.js';

/** PeerLimitsOptions: the limits of the table above (preAuthBudgetBytes lives in the shared PreAuthBudget). */
export type PeerLimitsOptions = Pick<Config, 'maxConnections' | 'reservedConnections' | 'maxConnectionsPerAddress' | 'handshakesPerSecond' | 'handshakeBurst' | 'preAuthPeerBytes'>;

/** PeerLimitsStats is a point-in-time copy of the counters, for /metrics and tests. */
export interface PeerLimitsStats {
  connections: number;
  unauthenticated: number;
  addresses: number;
  refused: number;
  preAuthBytes: number;
}

/**
 * PreAuthBudget is the hub-wide byte budget for input held on behalf of unauthenticated peers.
 * charge() refuses (returns false) instead of going over; release() gives bytes back.
 */
export class PreAuthBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  /** bytes is what is charged now. */
  get bytes(): number {
    return this.used;
  }

  /** charge takes `n` bytes from the budget, or returns false (and takes nothing) if they do not fit. */
  charge(n: number): boolean {
    if (n < 0 || this.used + n > this.maxBytes) return false;
    this.used += n;
    return true;
  }

  /** release gives back `n` bytes charged earlier. */
  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** addressKey groups addresses the way one host holds them: IPv4 as is, IPv6 by its /64. */
export function addressKey(address: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const groups = head ? head.split(':') : [];
  if (tail !== undefined) {
    const rest = tail ? tail.split(':') : [];
    while (groups.length + rest.length < 8) groups.push('0');
    groups.push(...rest);
  }
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

interface AddressEntry {
  connections: number;
  tokens: number;
  refilledAt: number;
}

/**
 * PeerLimits admits connections (see the file comment); each admitted one is a `PeerSlot` that
 * must be closed exactly once (close() is idempotent).
 */
export class PeerLimits {
  private readonly addresses = new Map<string, AddressEntry>();
  private open = 0;
  private unauth = 0;
  private refusedCount = 0;

  constructor(
    private readonly opts: PeerLimitsOptions,
    /** budget: the hub-wide pre-auth byte budget, shared with other listeners. */
    readonly budget: PreAuthBudget,
    private readonly now: () => number = Date.now,
  ) {}

  /** admit takes a slot for a new, unauthenticated peer at `address`, or says which limit refused it. */
  admit(address: string): { slot: PeerSlot; error?: undefined } | { slot?: undefined; error: CamwireError } {
    const error = this.check(address);
    if (error) {
      this.refusedCount++;
      return { error };
    }
    const key = addressKey(address);
    this.entry(key).connections++;
    this.open++;
    this.unauth++;
    return { slot: new PeerSlot(this, key, address) };
  }

  /** stats returns a copy of the counters. */
  stats(): PeerLimitsStats {
    return { connections: this.open, unauthenticated: this.unauth, addresses: this.addresses.size, refused: this.refusedCount, preAuthBytes: this.budget.bytes };
  }

  /** @internal PeerSlot calls this when its peer authenticates. */
  promoted(): void {
    this.unauth--;
  }

  /** @internal PeerSlot calls this once when it closes. */
  released(key: string, wasAuthenticated: boolean): void {
    this.open--;
    if (!wasAuthenticated) this.unauth--;
    const e = this.addresses.get(key);
    if (e) e.connections--;
  }

  /** @internal the per-peer share of the pre-auth budget. */
  get peerBytes(): number {
    return this.opts.preAuthPeerBytes;
  }

  private check(address: string): CamwireError | undefined {
    const o = this.opts;
    if (this.open >= o.maxConnections) {
      return createError('CAMWIRE_ERR_TOO_MANY_CONNECTIONS', `${o.maxConnections} connections already open (maxConnections)`);
    }
    if (this.unauth >= o.maxConnections - o.reservedConnections) {
      return createError('CAMWIRE_ERR_TOO_MANY_CONNECTIONS', `${this.unauth} connections are still authenticating; the last ${o.reservedConnections} slots are kept for authenticated peers (reservedConnections)`);
    }
    const key = addressKey(address);
    const e = this.entry(key);
    if (e.connections >= o.maxConnectionsPerAddress) {
      return createError('CAMWIRE_ERR_TOO_MANY_CONNECTIONS', `${key} already holds ${e.connections} connections (maxConnectionsPerAddress)`);
    }
    const t = this.now();
    e.tokens = Math.min(o.handshakeBurst, e.tokens + ((t - e.refilledAt) / 1000) * o.handshakesPerSecond);
    e.refilledAt = t;
    if (e.tokens < 1) {
      return createError('CAMWIRE_ERR_RATE_LIMITED', `${key} opens connections faster than ${o.handshakesPerSecond}/s (handshakesPerSecond, handshakeBurst); wait a moment`);
    }
    e.tokens--;
    return undefined;
  }

  private entry(key: string): AddressEntry {
    let e = this.addresses.get(key);
    if (!e) {
      this.prune();
      e = { connections: 0, tokens: this.opts.handshakeBurst, refilledAt: this.now() };
      this.addresses.set(key, e);
    }
    return e;
  }

  /**
   * prune forgets addresses with no connection whose bucket has refilled (they behave exactly
   * like unknown ones), so the map stays bounded by the open connections plus recent handshakes.
   */
  private prune(): void {
    if (this.addresses.size < 2 * this.opts.maxConnections) return;
    const t = this.now();
    const fullAfterMs = (1000 * this.opts.handshakeBurst) / this.opts.handshakesPerSecond;
    for (const [k, e] of this.addresses) {
      if (e.connections === 0 && t - e.refilledAt >= fullAfterMs) this.addresses.delete(k);
    }
  }
}

/** PeerSlot is one admitted peer: authenticate() once its handshake is accepted, close() when it goes. */
export class PeerSlot {
  private authed = false;
  private closed = false;
  private charged = 0;

  constructor(
    private readonly limits: PeerLimits,
    private readonly key: string,
    /** address is the peer's address as the socket reported it. */
    readonly address: string,
  ) {}

  /** authenticated tells whether authenticate() was called. */
  get authenticated(): boolean {
    return this.authed;
  }

  /** chargedBytes is what this peer holds of the pre-auth budget now. */
  get chargedBytes(): number {
    return this.charged;
  }

  /**
   * charge accounts `n` more buffered bytes to this unauthenticated peer; returns the error to
   * disconnect it with when its share or the hub-wide budget would be exceeded (nothing taken).
   * After authenticate() it always succeeds: authenticated input is bounded by its own limits.
   */
  charge(n: number): CamwireError | undefined {
    if (this.authed || this.closed) return undefined;
    if (this.charged + n > this.limits.peerBytes) {
      return createError('CAMWIRE_ERR_MESSAGE_TOO_LARGE', `${this.address} sent ${this.charged + n} bytes before authenticating; at most ${this.limits.peerBytes} are held (preAuthPeerBytes)`);
    }
    if (!this.limits.budget.charge(n)) {
      return createError('CAMWIRE_ERR_OVERLOADED', `input held for unauthenticated peers reached ${this.limits.budget.maxBytes} bytes (preAuthBudgetBytes); try again shortly`);
    }
    this.charged += n;
    return undefined;
  }

  /** release gives back `n` bytes charged earlier (they were parsed or discarded). */
  release(n: number): void {
    const m = Math.min(n, this.charged);
    this.charged -= m;
    this.limits.budget.release(m);
  }

  /** authenticate moves the peer out of the unauthenticated share and gives back its charged bytes. */
  authenticate(): void {
    if (this.authed || this.closed) return;
    this.authed = true;
    this.release(this.charged);
    this.limits.promoted();
  }

  /** close frees the slot and any charged bytes; idempotent. */
  close(): void {
    if (this.closed) return;
    this.release(this.charged);
    this.closed = true;
    this.limits.released(this.key, this.authed);
  }
}
