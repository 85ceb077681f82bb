/**
 * session: one browser WebSocket. It holds the streams the page subscribed to, one hub Reader per
 * subscribed stream, and pumps each reader's newest frame into the socket only when there is room
 * (hub/pump.ts): the socket's send buffer is low and, for a page that acknowledges frames, fewer
 * than ACK_WINDOW frames of that stream are in flight. A slow page skips frames; it never lags.
 *
 * Control messages are rate-limited per socket (CONTROL_RATE_PER_SECOND, CONTROL_BURST): every
 * subscribe, and every ack that matches no frame in flight, costs a token. A socket out of
 * tokens is paused (its further messages wait in the kernel) until a token is back; meanwhile
 * only its latest subscribe is kept (it replaces the earlier ones anyway) and stray acks are
 * dropped. A socket that sends another CONTROL_BURST messages while paused is no page: it is
 * closed with CAMWIRE_ERR_RATE_LIMITED and not read any further. Acks of frames in flight are
 * free: they are bounded by the frames the hub chose to send. So a flood of subscribe and
 * unsubscribe gets at most a few readers a second and cannot starve other viewers.
 *
 * What the page may watch is asked per stream (rights.ts): a subscription to a stream it may not
 * view gets an error message naming that stream (the socket stays open for the others), and no
 * reader.
 */
import type { WebSocket } from 'ws';
import type { Frame } from '../../frame/frame.js';
import type { Hub } from '../../hub/hub.js';
import type { Reader } from '../../hub/reader.js';
import { pumpNewest, type FrameSink } from '../../hub/pump.js';
import { createError, isCamwireError, type CamwireError } from '../../util/errors.js';
import { ACK_WINDOW, parseClientMessage, WS_POLICY_CLOSE, type ClientMessage, type ServerMessage } from './control.js';
import { StreamRights } from './rights.js';

/**
 * WS_LOW_WATER_BYTES: a frame is sent only while at most this much waits in user space. 128 KiB
 * is about one 720p JPEG: the socket never holds more than the frame in flight and one more.
 */
export const WS_LOW_WATER_BYTES = 128 * 1024;
/**
 * CONTROL_RATE_PER_SECOND: the viewer page subscribes when its set of visible tiles changes — a
 * few times a second at most, even while someone flicks through streams with the arrow keys.
 */
export const CONTROL_RATE_PER_SECOND = 10;
/** CONTROL_BURST: a page opening with many tiles, or a reconnect, sends a handful at once. */
export const CONTROL_BURST = 10;

/** SessionOptions: how frames become messages, and where the session reports its end. */
export interface SessionOptions {
  label: string;
  /** encode turns a frame into its binary message (cached per frame by the server). */
  encode: (f: Frame) => Uint8Array;
  onClose: (s: Session, err: CamwireError | undefined) => void;
  /** rights: what this page may view (default: everything). */
  rights?: StreamRights;
}

/** Session is one connected browser; see the file comment. */
export class Session {
  /** wanted: the names the page subscribed to. */
  private wanted = new Set<string>();
  private readonly subs = new Map<string, Subscription>();
  /** inFlight counts unacknowledged frames per stream name; it outlives a resubscribe, so late acks stay legitimate. */
  private readonly inFlight = new Map<string, number>();
  private tokens = CONTROL_BURST;
  private refilledAt = Date.now();
  /** pending: the latest subscribe that arrived while out of tokens, applied when one is back. */
  private pending: ClientMessage | undefined;
  /** deferred counts messages that arrived while out of tokens since the last one applied. */
  private deferred = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private done = false;
  /** aboutChain keeps messages about streams in order while their rights are asked. */
  private aboutChain = Promise.resolve();
  /** refusedSent: streams of the current subscription whose refusal the page was already told. */
  private refusedSent = new Set<string>();
  /** rights: what this page may view (rights.ts). */
  readonly rights: StreamRights;
  /** acking: the page acknowledges frames (subscribe with "ack": true). */
  acking = false;
  lastPongAt = Date.now();
  /** lastFlushAt: when the socket last finished writing something (stall detection). */
  lastFlushAt = Date.now();

  constructor(
    readonly ws: WebSocket,
    private readonly hub: Hub,
    private readonly opts: SessionOptions,
  ) {
    this.rights = opts.rights ?? new StreamRights();
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('pong', () => (this.lastPongAt = Date.now()));
    ws.on('close', () => this.finish(undefined));
    ws.on('error', (e: Error & { code?: string }) => {
      // ws enforces maxPayload itself (and closes with 1009); anything else is a framing error.
      const code = e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'CAMWIRE_ERR_MESSAGE_TOO_LARGE' : 'CAMWIRE_ERR_MALFORMED_MESSAGE';
      this.finish(createError(code, e.message, { cause: e }));
    });
  }

  /** label names the browser in logs. */
  get label(): string {
    return this.opts.label;
  }

  /** closed tells whether the socket is gone. */
  get closed(): boolean {
    return this.done;
  }

  /** socketBusy tells whether more than WS_LOW_WATER_BYTES wait in the socket's send buffer. */
  socketBusy(): boolean {
    return this.ws.bufferedAmount > WS_LOW_WATER_BYTES;
  }

  /** send writes one JSON control message. */
  send(m: ServerMessage): void {
    this.sendText(JSON.stringify(m));
  }

  /** sendText writes an already serialised control message (one string shared by all pages). */
  sendText(text: string): void {
    if (!this.done) this.ws.send(text);
  }

  /** sendAbout writes a message about `stream` (an event) if the page may view it, in the order they come. */
  sendAbout(stream: string, text: string): void {
    this.aboutChain = this.aboutChain.then(async () => {
      await this.rights.request([stream]);
      if (this.rights.allows(stream)) this.sendText(text);
    });
  }

  /** sendFrame writes one frame of `stream`; every flush wakes the pumps waiting for room. */
  sendFrame(f: Frame, stream: string): void {
    if (this.acking) this.inFlight.set(stream, this.framesInFlight(stream) + 1);
    this.ws.send(this.opts.encode(f), { binary: true }, (err) => {
      if (!err) this.lastFlushAt = Date.now();
      for (const s of this.subs.values()) s.room.fire();
    });
  }

  /** framesInFlight is how many frames of `stream` the page has not acknowledged. */
  framesInFlight(stream: string): number {
    return this.inFlight.get(stream) ?? 0;
  }

  /**
   * reconcile attaches readers to wanted streams that exist now and that the page may view, and
   * detaches those it may no longer view (called on hub changes and each second).
   */
  reconcile(): void {
    if (this.done) return;
    const unknown: string[] = [];
    for (const name of this.wanted) {
      const right = this.rights.get(name);
      if (right === undefined) {
        unknown.push(name);
        continue;
      }
      if (!right.ok) {
        this.detach(name);
        if (!this.refusedSent.has(name)) {
          this.refusedSent.add(name);
          this.send({ type: 'error', code: right.code, message: right.message, stream: name });
        }
        continue;
      }
      if (this.subs.has(name) || !this.hub.get(name)) continue;
      const sub = new Subscription(this.hub.read(name, { label: this.opts.label }), this);
      this.subs.set(name, sub);
      void pumpNewest(sub.reader, sub).finally(() => {
        if (this.subs.get(name) === sub) this.subs.delete(name);
      });
    }
    if (unknown.length > 0) void this.rights.request(unknown).then(() => this.reconcile());
  }

  private detach(name: string): void {
    const sub = this.subs.get(name);
    if (!sub) return;
    this.subs.delete(name);
    sub.reader.close();
  }

  /** fail tells the browser why and closes with 1008 (policy violation). */
  fail(err: CamwireError): void {
    if (this.done) return;
    this.send({ type: 'error', code: err.code, message: err.message });
    this.ws.close(WS_POLICY_CLOSE, err.code);
    this.ws.pause(); // nothing it sends from now on is read (a flood stops costing parse time)
    this.finish(err);
    // A peer that ignores the close handshake is cut off.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  /** terminate drops the socket at once (dead or stalled peer, server shutdown). */
  terminate(err?: CamwireError): void {
    this.ws.terminate();
    this.finish(err);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.done) return;
    try {
      if (isBinary) throw createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', 'a browser may not send binary messages');
      const m = parseClientMessage(data.toString('utf8'));
      if (m.type === 'ack' && this.framesInFlight(m.stream) > 0) return this.ack(m.stream);
      if (this.pending !== undefined || this.resumeTimer !== undefined || !this.takeToken()) {
        // Out of tokens: keep the newest subscribe for later, drop stray acks, stop reading.
        if (++this.deferred > CONTROL_BURST) {
          throw createError('CAMWIRE_ERR_RATE_LIMITED', `more than ${CONTROL_RATE_PER_SECOND} control messages a second (the viewer page sends a few); reconnect and subscribe less often`);
        }
        if (m.type === 'subscribe') this.pending = m;
        return this.pauseUntilToken();
      }
      if (m.type === 'subscribe') this.apply(m);
    } catch (e) {
      this.fail(isCamwireError(e) ? e : createError('CAMWIRE_ERR_MALFORMED_MESSAGE', String(e)));
    }
  }

  private ack(stream: string): void {
    const n = this.framesInFlight(stream) - 1;
    if (n > 0) this.inFlight.set(stream, n);
    else this.inFlight.delete(stream);
    this.subs.get(stream)?.room.fire();
  }

  /** takeToken refills the bucket for the time passed and takes one token, if there is one. */
  private takeToken(): boolean {
    const now = Date.now();
    this.tokens = Math.min(CONTROL_BURST, this.tokens + ((now - this.refilledAt) / 1000) * CONTROL_RATE_PER_SECOND);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private pauseUntilToken(): void {
    if (this.resumeTimer) return;
    this.ws.pause();
    const waitMs = Math.ceil(((1 - this.tokens) * 1000) / CONTROL_RATE_PER_SECOND);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      if (this.done) return;
      const m = this.pending;
      this.pending = undefined;
      if (m && !this.takeToken()) {
        this.pending = m;
        return this.pauseUntilToken();
      }
      this.deferred = 0;
      if (m?.type === 'subscribe') this.apply(m);
      this.ws.resume();
    }, Math.max(1, waitMs));
  }

  private apply(m: ClientMessage & { type: 'subscribe' }): void {
    this.acking = m.ack;
    this.wanted = new Set(m.streams);
    this.refusedSent = new Set();
    for (const name of [...this.subs.keys()]) if (!this.wanted.has(name)) this.detach(name);
    for (const sub of this.subs.values()) sub.room.fire(); // acking may have changed
    this.reconcile();
  }

  private finish(err: CamwireError | undefined): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.resumeTimer);
    for (const s of this.subs.values()) {
      s.reader.close();
      s.room.fire();
    }
    this.subs.clear();
    this.opts.onClose(this, err);
  }
}

/** Signal is a reusable wake-up: wait() resolves at the next fire(). */
class Signal {
  private waiting: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  wait(): Promise<void> {
    return (this.waiting ??= new Promise((r) => (this.wake = r)));
  }

  fire(): void {
    const w = this.wake;
    this.waiting = undefined;
    this.wake = undefined;
    w?.();
  }
}

/** Subscription is one stream on one socket: the pump's FrameSink, held to the session's ack window. */
class Subscription implements FrameSink {
  /** room fires when this subscription may have room again (a flush or an ack). */
  readonly room = new Signal();

  constructor(
    readonly reader: Reader,
    private readonly session: Session,
  ) {}

  get closed(): boolean {
    return this.session.closed;
  }

  busy(): boolean {
    return this.session.socketBusy() || (this.session.acking && this.session.framesInFlight(this.reader.stream) >= ACK_WINDOW);
  }

  writable(): Promise<void> {
    return this.room.wait();
  }

  write(f: Frame): void {
    this.session.sendFrame(f, this.reader.stream);
  }
}
