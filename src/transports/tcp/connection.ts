/**
 * connection: one camwire TCP connection, either side: the decoder on the way in, backpressure-
 * aware frame writes on the way out, keepalives and the idle timeout.
 */
import type { Socket } from 'node:net';
import { createError, isCamwireError, type CamwireError } from '../../util/errors.js';
import { TypedEmitter } from '../../util/events.js';
import { Decoder } from './decoder.js';
import { encodeError, encodeFrame, encodeKeepalive, type Message, type WireFrame } from './messages.js';

/** ConnectionOptions: limits and timers (see config/defaults for the reasons of each default). */
export interface ConnectionOptions {
  maxFrameBytes: number;
  /** keepaliveMs: send KEEPALIVE after this long without sending anything. */
  keepaliveMs: number;
  /** timeoutMs: close when nothing at all arrived for this long (dead or stalled peer). */
  timeoutMs: number;
  /** writeStallMs: close when a write has not drained for this long (peer stopped reading). */
  writeStallMs: number;
}

/** ConnectionEvents: messages in order, then exactly one `close` (error undefined = clean). */
export type ConnectionEvents = {
  message: (m: Message) => void;
  close: (err: CamwireError | undefined) => void;
};

/** Connection wraps a connected socket; see the file comment. */
export class Connection extends TypedEmitter<ConnectionEvents> {
  readonly remote: string;
  private readonly decoder: Decoder;
  private lastRx = Date.now();
  private lastTx = Date.now();
  private drainWaitSince = 0;
  private timer: NodeJS.Timeout;
  private keepaliveMs: number;
  private closed = false;

  constructor(
    readonly socket: Socket,
    private readonly opts: ConnectionOptions,
  ) {
    super();
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.decoder = new Decoder({ maxFrameBytes: opts.maxFrameBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (e: NodeJS.ErrnoException) => this.finish(createError('CAMWIRE_ERR_CONNECT', `${this.remote}: ${e.code ?? e.message}`, { cause: e })));
    socket.on('close', () => this.finish(undefined));
    this.keepaliveMs = opts.keepaliveMs;
    this.timer = this.startTimer();
  }

  /** adoptKeepalive sends keepalives at least as often as the peer asked in its WELCOME. */
  adoptKeepalive(peerMs: number): void {
    if (peerMs >= this.keepaliveMs || this.closed) return;
    this.keepaliveMs = Math.max(50, peerMs);
    clearInterval(this.timer);
    this.timer = this.startTimer();
  }

  private startTimer(): NodeJS.Timeout {
    const t = setInterval(() => this.onTick(), Math.max(25, Math.min(this.keepaliveMs / 2, this.opts.timeoutMs / 4)));
    t.unref();
    return t;
  }

  /** isClosed tells whether the connection has closed (or is closing). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** send writes one encoded control message. */
  send(b: Buffer): void {
    if (this.closed) return;
    this.lastTx = Date.now();
    this.socket.write(b);
  }

  /**
   * sendFrame writes a frame and resolves once the socket can take more, so a caller that
   * awaits it keeps at most one frame queued in user space (newest-frame-wins upstream).
   */
  async sendFrame(f: WireFrame): Promise<void> {
    if (this.closed) return;
    const [h, p] = encodeFrame(f);
    this.lastTx = Date.now();
    this.socket.cork();
    this.socket.write(h);
    this.socket.write(p);
    this.socket.uncork();
    if (!this.socket.writableNeedDrain) return;
    this.drainWaitSince = Date.now();
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.on('close', done);
    });
    this.drainWaitSince = 0;
  }

  /** fail tells the peer why (ERROR message) and closes; emits `close` with `err`. */
  fail(err: CamwireError): void {
    if (this.closed) return;
    if (this.socket.writable) {
      this.socket.write(encodeError({ code: err.code, message: err.message.slice(0, 1000) }));
      this.socket.end();
    }
    // Whatever else a failed peer sends is discarded unread: stop paying to receive it.
    this.socket.pause();
    this.finish(err);
    // A peer that never reads would keep the half-closed socket forever.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** end closes cleanly after pending writes (after END, say). */
  end(): void {
    if (this.closed) return;
    this.socket.end();
    this.finish(undefined);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** destroy closes at once. */
  destroy(): void {
    this.socket.destroy();
    this.finish(undefined);
  }

  private onData(chunk: Buffer): void {
    this.lastRx = Date.now();
    let messages: Message[];
    try {
      messages = this.decoder.push(chunk);
    } catch (e) {
      return this.fail(isCamwireError(e) ? e : createError('CAMWIRE_ERR_MALFORMED_MESSAGE', String(e)));
    }
    for (const m of messages) {
      if (this.closed) return;
      this.emit('message', m);
    }
  }

  private onEnd(): void {
    try {
      this.decoder.end();
      this.end();
    } catch (e) {
      this.finish(e as CamwireError);
      this.socket.destroy();
    }
  }

  private onTick(): void {
    const now = Date.now();
    if (now - this.lastRx > this.opts.timeoutMs) {
      return this.fail(createError('CAMWIRE_ERR_KEEPALIVE_TIMEOUT', `nothing received from ${this.remote} for ${this.opts.timeoutMs} ms`));
    }
    if (this.drainWaitSince && now - this.drainWaitSince > this.opts.writeStallMs) {
      // It is not reading, so an ERROR message would not reach it either.
      this.socket.destroy();
      return this.finish(createError('CAMWIRE_ERR_KEEPALIVE_TIMEOUT', `${this.remote} read nothing for ${this.opts.writeStallMs} ms`));
    }
    if (now - this.lastTx >= this.keepaliveMs) this.send(encodeKeepalive());
  }

  private finish(err: CamwireError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.emit('close', err);
  }
}
