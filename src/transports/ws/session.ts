/**
 * session: one browser WebSocket. It holds the set of streams the page subscribed to, one hub
 * Reader per subscribed stream, and pumps each reader's newest frame into the socket only while
 * the socket's send buffer is low (hub/pump.ts), so a slow page skips frames instead of lagging.
 */
import type { WebSocket } from 'ws';
import type { Frame } from '../../frame/frame.js';
import type { Hub } from '../../hub/hub.js';
import type { Reader } from '../../hub/reader.js';
import { pumpNewest, type FrameSink } from '../../hub/pump.js';
import { createError, isCamwireError, type CamwireError } from '../../util/errors.js';
import { parseClientMessage, WS_POLICY_CLOSE, type ServerMessage } from './control.js';

/**
 * WS_LOW_WATER_BYTES: a frame is sent only while at most this much waits in user space. 128 KiB
 * is about one 720p JPEG: the socket never holds more than the frame in flight and one more.
 */
export const WS_LOW_WATER_BYTES = 128 * 1024;
/** WS_WAKE_MS: a busy pump re-checks the buffer at least this often, should a flush go unseen. */
const WS_WAKE_MS = 250;

/** SessionOptions: how frames become messages, and where the session reports its end. */
export interface SessionOptions {
  label: string;
  /** encode turns a frame into its binary message (cached per frame by the server). */
  encode: (f: Frame) => Uint8Array;
  onClose: (s: Session, err: CamwireError | undefined) => void;
}

/** Session is one connected browser; see the file comment. */
export class Session implements FrameSink {
  /** wanted: the names the page subscribed to, in its order. */
  private wanted = new Set<string>();
  private readonly readers = new Map<string, Reader>();
  private wake: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private done = false;
  lastPongAt = Date.now();
  /** lastFlushAt: when the socket last finished writing something (stall detection). */
  lastFlushAt = Date.now();
  framesSent = 0;

  constructor(
    readonly ws: WebSocket,
    private readonly hub: Hub,
    private readonly opts: SessionOptions,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('pong', () => (this.lastPongAt = Date.now()));
    ws.on('close', () => this.finish(undefined));
    ws.on('error', (e) => this.finish(createError('CAMWIRE_ERR_MALFORMED_MESSAGE', `${opts.label}: ${e.message}`, { cause: e })));
  }

  /** label names the browser in logs. */
  get label(): string {
    return this.opts.label;
  }

  /** closed tells whether the socket is gone (FrameSink). */
  get closed(): boolean {
    return this.done;
  }

  /** subscriptions is the number of streams the page asked for. */
  get subscriptions(): number {
    return this.wanted.size;
  }

  /** send writes one JSON control message. */
  send(m: ServerMessage): void {
    this.sendText(JSON.stringify(m));
  }

  /** sendText writes an already serialised control message (one string shared by all pages). */
  sendText(text: string): void {
    if (!this.done) this.ws.send(text);
  }

  /** reconcile attaches readers to wanted streams that exist now (called on hub changes). */
  reconcile(): void {
    if (this.done) return;
    for (const name of this.wanted) {
      if (this.readers.has(name) || !this.hub.get(name)) continue;
      const reader = this.hub.read(name, { label: `${this.opts.label} ws` });
      this.readers.set(name, reader);
      void pumpNewest(reader, this).finally(() => {
        if (this.readers.get(name) === reader) this.readers.delete(name);
      });
    }
  }

  /** fail tells the browser why and closes with 1008 (policy violation). */
  fail(err: CamwireError): void {
    if (this.done) return;
    this.send({ type: 'error', code: err.code, message: err.message });
    this.ws.close(WS_POLICY_CLOSE, err.code);
    this.finish(err);
    // A peer that ignores the close handshake is cut off.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  /** terminate drops the socket at once (dead or stalled peer, server shutdown). */
  terminate(err?: CamwireError): void {
    this.ws.terminate();
    this.finish(err);
  }

  busy(): boolean {
    return this.ws.bufferedAmount > WS_LOW_WATER_BYTES;
  }

  writable(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.wake ??= new Promise<void>((resolve) => {
      const t = setTimeout(() => this.flushed(), WS_WAKE_MS);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
    return this.wake;
  }

  write(f: Frame): void {
    this.framesSent++;
    this.ws.send(this.opts.encode(f), { binary: true }, (err) => {
      if (!err) this.lastFlushAt = Date.now();
      this.flushed();
    });
  }

  private flushed(): void {
    const w = this.wakeUp;
    this.wake = undefined;
    this.wakeUp = undefined;
    w?.();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.done) return;
    try {
      if (isBinary) throw createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', 'a browser may not send binary messages');
      const m = parseClientMessage(data.toString('utf8'));
      this.wanted = new Set(m.streams);
      for (const [name, r] of this.readers) {
        if (this.wanted.has(name)) continue;
        this.readers.delete(name);
        r.close();
      }
      this.reconcile();
    } catch (e) {
      this.fail(isCamwireError(e) ? e : createError('CAMWIRE_ERR_MALFORMED_MESSAGE', String(e)));
    }
  }

  private finish(err: CamwireError | undefined): void {
    if (this.done) return;
    this.done = true;
    for (const r of this.readers.values()) r.close();
    this.readers.clear();
    this.flushed();
    this.opts.onClose(this, err);
  }
}
