/**
 * admission: who gets a connection slot on the HTTP port (slowloris protection), on top of the
 * shared util/peer-limits. Every accepted TCP connection takes a PeerSlot; a connection counts
 * as authenticated once one of its requests passed the Host and credential checks (with no auth
 * configured: once it sent a complete, valid request). So
 *
 *   - one host holds at most maxConnectionsPerAddress connections and opens at most
 *     handshakesPerSecond (burst handshakeBurst): 1 100 half-open requests from one machine
 *     take 64 slots, not the listener;
 *   - a half-open request is cut after preAuthTimeoutMs (node's headersTimeout, and the TLS
 *     handshake timeout for HTTPS);
 *   - viewers already watching keep reservedConnections slots that strangers cannot take;
 *   - when the listener is full and some of it is still unauthenticated, a new connection
 *     evicts the OLDEST unauthenticated one instead of being refused: a good client needs its
 *     slot for the milliseconds its request takes, a slowloris needs it for seconds, so the
 *     attacker loses the race however many hosts it has.
 *
 * Each unauthenticated connection is charged MAX_HEADER_BYTES (what node may buffer for it) to
 * the hub-wide pre-auth budget until it authenticates or closes.
 */
import type { Socket } from 'node:net';
import type { Config } from '../../config/defaults.js';
import type { CamwireError } from '../../util/errors.js';
import { PeerLimits, PreAuthBudget, type PeerSlot } from '../../util/peer-limits.js';

/** AdmissionOptions: the peer-limits keys, and the budget to share with other listeners. */
export type AdmissionOptions = Pick<Config, 'maxConnections' | 'reservedConnections' | 'maxConnectionsPerAddress' | 'handshakesPerSecond' | 'handshakeBurst' | 'preAuthBudgetBytes' | 'preAuthPeerBytes'> & {
  preAuthBudget?: PreAuthBudget;
  /** chargeBytes: what one unauthenticated connection may hold (the header limit). */
  chargeBytes: number;
};

interface Held {
  socket: Socket;
  slot: PeerSlot;
}

/** Admission tracks the slots of one HTTP listener; see the file comment. */
export class Admission {
  private readonly limits: PeerLimits;
  /** held: open connections by address:port, in the order they arrived (oldest first). */
  private readonly held = new Map<string, Held>();
  /** evicted counts connections closed to make room (for tests and /metrics). */
  evicted = 0;

  constructor(private readonly opts: AdmissionOptions) {
    this.limits = new PeerLimits(opts, opts.preAuthBudget ?? new PreAuthBudget(opts.preAuthBudgetBytes));
  }

  /** admit gives `socket` a slot, evicting the oldest unauthenticated connection if the listener is full; or says why not. */
  admit(socket: Socket): CamwireError | undefined {
    const address = socket.remoteAddress ?? '';
    let r = this.limits.admit(address);
    if (r.error && this.full() && this.evictOldestUnauthenticated()) r = this.limits.admit(address);
    if (r.error) return r.error;
    const slot = r.slot;
    const refused = slot.charge(this.opts.chargeBytes);
    if (refused) {
      slot.close();
      return refused;
    }
    const key = keyOf(socket);
    this.held.set(key, { socket, slot });
    socket.once('close', () => {
      slot.close();
      if (this.held.get(key)?.socket === socket) this.held.delete(key);
    });
    return undefined;
  }

  /** holds tells whether `socket` (raw or TLS) has a slot: requests on any other are not served. */
  holds(socket: Socket): boolean {
    return this.held.has(keyOf(socket));
  }

  /** authenticate marks the connection `socket` (raw or TLS) as a proven client. */
  authenticate(socket: Socket): void {
    this.held.get(keyOf(socket))?.slot.authenticate();
  }

  /** stats: the peer-limits counters plus evictions. */
  stats(): ReturnType<PeerLimits['stats']> & { evicted: number } {
    return { ...this.limits.stats(), evicted: this.evicted };
  }

  private full(): boolean {
    const s = this.limits.stats();
    return s.connections >= this.opts.maxConnections || s.unauthenticated >= this.opts.maxConnections - this.opts.reservedConnections;
  }

  private evictOldestUnauthenticated(): boolean {
    for (const [key, h] of this.held) {
      if (h.slot.authenticated) continue;
      this.held.delete(key);
      h.slot.close();
      h.socket.destroy();
      this.evicted++;
      return true;
    }
    return false;
  }
}

/** keyOf names a connection by its peer's address and port: the same for the raw and the TLS socket. */
function keyOf(s: Socket): string {
  return `${s.remoteAddress}|${s.remotePort}`;
}
