/**
 * webhook: POSTs each event's start and end as JSON to a URL (`--on-motion URL`).
 *
 * ```
 * POST /hook   Content-Type: application/json   User-Agent: camwire
 * {"phase":"start","event":{StreamEvent}}
 * ```
 *
 * Deliveries go one at a time, in order (an end never overtakes its start). A try that gets no
 * answer within the timeout, a network error or a 5xx/429 answer is retried after a jittered
 * backoff, up to MAX_TRIES tries; a 4xx answer is the receiver saying no, and is not retried.
 * At most MAX_QUEUED deliveries wait; past that the oldest is dropped (logged): a dead receiver
 * costs bounded memory, and the newest events are the ones worth sending.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EventLog, EventPhase, StreamEvent } from '../../hub/event-log.js';
import { Backoff } from '../../util/backoff.js';
import { createError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { sleep } from '../../util/sleep.js';

const log = createLogger('webhook');

/** MAX_TRIES: 4 tries over ~4 s of backoff ride out a receiver restarting; beyond that the event is stale. */
export const MAX_TRIES = 4;
/** MAX_QUEUED: 100 deliveries waiting (≈ 50 events) bound the memory a dead receiver can cost. */
export const MAX_QUEUED = 100;
/** RETRY_BACKOFF: first retry after 250–500 ms, at most every 2 s. */
export const RETRY_BACKOFF = { initialMs: 500, maxMs: 2000 };
/** CLOSE_GRACE_MS: on shutdown, deliveries already waiting (the ends of events cut short) get 1 s. */
const CLOSE_GRACE_MS = 1000;
/** SENT_PHASES: a receiver hears when an event starts and when it ends (not every new peak). */
const SENT_PHASES: readonly EventPhase[] = ['start', 'end'];

/** WebhookStats counts what happened to deliveries. */
export interface WebhookStats {
  delivered: number;
  failed: number;
  retries: number;
  dropped: number;
}

/** parseWebhookUrl checks that `url` is an http(s) URL; throws CAMWIRE_ERR_CONFIG naming the flag. */
export function parseWebhookUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw createError('CAMWIRE_ERR_CONFIG', `--on-motion "${url.slice(0, 100)}" is not a URL; give http://HOST:PORT/PATH`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw createError('CAMWIRE_ERR_CONFIG', `--on-motion must be an http:// or https:// URL, got ${u.protocol}`);
  return u;
}

/** Webhook delivers events from an EventLog; see the file comment. */
export class Webhook {
  readonly stats: WebhookStats = { delivered: 0, failed: 0, retries: 0, dropped: 0 };
  private readonly url: URL;
  private readonly queue: string[] = [];
  private running: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private readonly onEvent = (event: StreamEvent, phase: EventPhase) => {
    if (SENT_PHASES.includes(phase)) this.enqueue(JSON.stringify({ phase, event }));
  };

  constructor(
    url: string,
    private readonly events: EventLog,
    private readonly timeoutMs: number,
  ) {
    this.url = parseWebhookUrl(url);
    events.on('event', this.onEvent);
  }

  /** idle resolves when nothing waits to be delivered (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** close stops listening, gives waiting deliveries CLOSE_GRACE_MS, then abandons the rest. Idempotent. */
  async close(): Promise<void> {
    this.events.off('event', this.onEvent);
    if (this.running) await Promise.race([this.idle(), sleep(CLOSE_GRACE_MS)]);
    this.stop.abort();
    this.queue.length = 0;
    await this.running;
  }

  private enqueue(body: string): void {
    if (this.stop.signal.aborted) return;
    this.queue.push(body);
    if (this.queue.length > MAX_QUEUED) {
      this.queue.shift();
      this.stats.dropped++;
      log.warn(`${this.url.host} is not taking events fast enough: dropped the oldest`);
    }
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    for (let body = this.queue.shift(); body !== undefined && !this.stop.signal.aborted; body = this.queue.shift()) await this.deliver(body);
  }

  private async deliver(body: string): Promise<void> {
    const backoff = new Backoff(RETRY_BACKOFF);
    for (let attempt = 1; ; attempt++) {
      const r = await this.post(body);
      if (r.ok) {
        this.stats.delivered++;
        return;
      }
      if (!r.retry || attempt >= MAX_TRIES || this.stop.signal.aborted) {
        this.stats.failed++;
        log.warn(`POST ${this.url.origin}${this.url.pathname} failed after ${attempt} ${attempt === 1 ? 'try' : 'tries'}: ${r.why}`);
        return;
      }
      this.stats.retries++;
      await sleep(backoff.next(), this.stop.signal);
    }
  }

  /** post makes one try; it never throws. */
  private post(body: string): Promise<{ ok: boolean; retry: boolean; why: string }> {
    return new Promise((resolve) => {
      const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'camwire' },
        signal: this.stop.signal,
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on('response', (res) => {
        res.resume(); // the answer's body is not needed; reading it frees the socket
        clearTimeout(timer);
        const s = res.statusCode ?? 0;
        resolve({ ok: s >= 200 && s < 300, retry: s >= 500 || s === 429, why: `HTTP ${s}` });
      });
      req.on('error', (e) => {
        clearTimeout(timer);
        resolve({ ok: false, retry: true, why: e.message });
      });
      req.end(body);
    });
  }
}
