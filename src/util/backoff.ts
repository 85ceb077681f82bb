/**
 * backoff: capped exponential delays with jitter for reconnect loops, so a hub restart is not
 * met by every sender and viewer reconnecting in the same millisecond.
 */
import { DEFAULTS } from '../config/defaults.js';

/** BackoffOptions: first delay and cap in milliseconds (defaults: the reconnect* config keys). */
export interface BackoffOptions {
  /** initialMs: the first delay (DEFAULTS.reconnectInitialMs). */
  initialMs?: number;
  /** maxMs: the cap (DEFAULTS.reconnectMaxMs). */
  maxMs?: number;
}

/** Backoff yields delays growing ×2 from initialMs up to maxMs, each scaled by a random 0.5–1. */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? DEFAULTS.reconnectInitialMs;
    this.maxMs = opts.maxMs ?? DEFAULTS.reconnectMaxMs;
  }

  /** attempts is how many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** next returns the delay before the next attempt. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  /** reset starts over after a success. */
  reset(): void {
    this.attempt = 0;
  }
}
