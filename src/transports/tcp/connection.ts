/**
 * connection: one camwire TCP connection, either side: the decoder on the way in, frames out as
 * a FrameSink for the one newest-wins pump (hub/pump.ts), keepalives and the idle timeout.
 */
import type { Socket } from 'node:net';
import type { FrameSink } from '../../hub/pump.js';
import { createError, isCamwireError, type CamwireError } from '../../util/errors.js';
import { TypedEmitter } from '../../util/events.js';
import { describeNetError } from '../../util/neterr.js';
import type { PeerSlot } from '../../util/peer-limits.js';
import { Decoder } from './decoder.js';
import { encodeError, encodeFrame, encodeKeepalive, type Message, type WireFrame } from './messages.js';

const EMPTY = Buffer.alloc(0);

/** ConnectionOptions: limits and timers (see config/defaults for the reasons of each default). */
export interface ConnectionOptions {
  maxFrameBytes: number;
  /** keepaliveMs: send KEEPALIVE after this long without sending anything. */
  keepaliveMs: number;
  /** timeoutMs: close when nothing at all arrived for this long (dead or stalled peer). */
  timeoutMs: number;
  /** writeStallMs: close when a write has not drained for this long (peer stopped reading). */
  writeStallMs: number;
  /**
   * account is charged for input held before authenticate() (a hub's PeerSlot, see
   * util/peer-limits); a refused charge disconnects the peer before its bytes are buffered.
   */
  account?: Pick<PeerSlot, 'charge' | 'release' | 'chargedBytes' | 'authenticate'>;
}

/** ConnectionEvents: messages in order, then exactly one `close` (error undefined = clean). */
export type ConnectionEvents = {
  message: (m: Message) => void;
  close: (err: CamwireError | undefined) => void;
};

/**
 * Connection wraps a connected socket; see the file comment. As a FrameSink it is busy while
 * the socket wants a drain, so the pump leaves newer frames in the reader's slot meanwhile.
 */
export class Connection extends TypedEmitter<ConnectionEvents> implements FrameSink {
  readonly remote: string;
  private readonly decoder: Decoder;
  private lastRx = Date.now();
  private lastTx = Date.now();
  private timer: NodeJS.Timeout;
  private keepaliveMs: number;
  private isClosed = false;

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
    socket.on('error', (e: NodeJS.ErrnoException) => this.finish(socketError(this.remote, e)));
    socket.on('close', () => this.finish(undefined));
    this.keepaliveMs = opts.keepaliveMs;
    this.timer = this.startTimer();
  }

  /** adoptKeepalive sends keepalives at least as often as the peer asked in its WELCOME. */
  adoptKeepalive(peerMs: number): void {
    if (peerMs >= this.keepaliveMs || this.isClosed) return;
    this.keepaliveMs = Math.max(50, peerMs);
    clearInterval(this.timer);
    this.timer = this.startTimer();
  }

  private startTimer(): NodeJS.Timeout {
    const t = setInterval(() => this.onTick(), Math.max(25, Math.min(this.keepaliveMs / 2, this.opts.timeoutMs / 4)));
    t.unref();
    return t;
  }

  /**
   * authenticate marks the handshake accepted: from now on FRAME messages are read (before, a
   * FRAME header is a protocol error) and input is no longer charged to the pre-auth budget.
   */
  authenticate(): void {
    this.decoder.authenticated = true;
    this.opts.account?.authenticate();
  }

  /** closed tells whether the connection has closed (or is closing). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** busy tells whether the socket holds more than it wants; the pump then waits in writable(). */
  busy(): boolean {
    return !this.isClosed && this.socket.writableNeedDrain;
  }

  /**
   * writable resolves when the socket drained or the connection closed. A peer that reads
   * nothing for writeStallMs is disconnected (CAMWIRE_ERR_WRITE_STALL): it is not reading, so
   * an ERROR message would not reach it either.
   */
  writable(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(stall);
        this.socket.off('drain', done);
        this.off('close', done);
        resolve();
      };
      const stall = setTimeout(() => {
        this.socket.destroy();
        this.finish(createError('CAMWIRE_ERR_WRITE_STALL', `${this.remote} read nothing for ${this.opts.writeStallMs} ms (writeStallMs)`));
      }, this.opts.writeStallMs);
      this.socket.on('drain', done);
      this.on('close', done);
    });
  }

  /** write sends one frame without waiting (the pump asks busy() first); the payload is not copied. */
  write(f: WireFrame): void {
    if (this.isClosed) return;
    const [h, p] = encodeFrame(f);
    this.lastTx = Date.now();
    this.socket.cork();
    this.socket.write(h);
    this.socket.write(p);
    this.socket.uncork();
  }

  /** send writes one encoded control message. */
  send(b: Buffer): void {
    if (this.isClosed) return;
    this.lastTx = Date.now();
    this.socket.write(b);
  }

  /** fail tells the peer why (ERROR message) and closes; emits `close` with `err`. */
  fail(err: CamwireError): void {
    if (this.isClosed) return;
    if (this.socket.writable) {
      this.socket.write(encodeError({ code: err.code, message: err.message.slice(0, 1000) }));
      this.socket.end();
    }
    // Whatever else a failed peer sends is discarded unread: stop paying to receive it.
    this.socket.pause();
    this.finish(err);
    this.destroyLater();
  }

  /** end closes cleanly after pending writes (after END, say). */
  end(): void {
    if (this.isClosed) return;
    this.socket.end();
    this.finish(undefined);
    this.destroyLater();
  }

  /** destroyLater: a peer that never reads would keep a half-closed socket forever; 1 s to flush. */
  private destroyLater(): void {
    const t = setTimeout(() => this.socket.destroy(), 1000);
    this.socket.once('close', () => clearTimeout(t));
  }

  /** destroy closes at once. */
  destroy(): void {
    this.socket.destroy();
    this.finish(undefined);
  }

  private onData(chunk: Buffer): void {
    this.lastRx = Date.now();
    const account = this.decoder.authenticated ? undefined : this.opts.account;
    const refused = account?.charge(chunk.length);
    if (refused) return this.fail(refused);
    // Before authentication the decoder yields one message per push, so a handler can accept
    // the handshake before the next header (a FRAME right behind WELCOME) is judged.
    for (let next = chunk; !this.isClosed; next = EMPTY) {
      let messages: Message[];
      try {
        messages = this.decoder.push(next);
      } catch (e) {
        return this.fail(isCamwireError(e) ? e : createError('CAMWIRE_ERR_MALFORMED_MESSAGE', String(e)));
      } finally {
        // What the decoder no longer holds was parsed or thrown away: give it back.
        account?.release(account.chargedBytes - this.decoder.bufferedBytes);
      }
      if (messages.length === 0) return;
      for (const m of messages) {
        if (this.isClosed) return;
        this.emit('message', m);
      }
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
    if (now - this.lastTx >= this.keepaliveMs) this.send(encodeKeepalive());
  }

  private finish(err: CamwireError | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.timer);
    this.emit('close', err);
  }
}

/**
 * socketError keeps the socket's own error as the cause and names what happened in words: a
 * broken open connection is CAMWIRE_ERR_CONNECTION_LOST (reset, broken pipe), a failed TLS
 * handshake CAMWIRE_ERR_TLS, never a generic connect error.
 */
export function socketError(remote: string, e: NodeJS.ErrnoException): CamwireError {
  if (isCamwireError(e)) return e;
  const tls = /^ERR_(SSL|TLS)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(e.code ?? '');
  return createError(tls ? 'CAMWIRE_ERR_TLS' : 'CAMWIRE_ERR_CONNECTION_LOST', `${remote}: ${describeNetError(e)}`, { cause: e });
}
