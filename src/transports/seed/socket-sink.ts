/**
 * socket-sink: one old viewer's TCP connection as a FrameSink for the one newest-wins pump. It
 * is busy while the frame in hand is converted (pickle-bgr) or the socket has unsent data, so
 * the frame waits in the reader's slot, where a newer one replaces it: never a queue of stale
 * frames, whatever the viewer's speed. A viewer that stops reading for writeStallMs is dropped.
 */
import type { Socket } from 'node:net';
import type { Frame } from '../../frame/frame.js';
import type { FrameSink } from '../../hub/pump.js';
import { isCamwireError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { FrameEncoder } from './frame-encoder.js';

/** SocketSink writes frames in one seed format to a socket; see the file comment. */
export class SocketSink implements FrameSink {
  private converting = false;
  private wake: (() => void) | undefined;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly encoder: FrameEncoder,
    private readonly writeStallMs: number,
    private readonly log: Logger,
  ) {
    socket.on('drain', () => this.notify());
    socket.on('close', () => this.notify());
  }

  /** closed tells whether the viewer went away. */
  get closed(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }

  /** busy: converting the frame in hand, or the socket still holds unsent bytes. */
  busy(): boolean {
    return this.converting || this.socket.writableNeedDrain;
  }

  /** writable resolves when busy() may have changed. */
  writable(): Promise<void> {
    return new Promise((r) => (this.wake = r));
  }

  /** write sends one frame (after conversion for pickle-bgr); it never waits. */
  write(f: Frame): void {
    let parts: Buffer[] | Promise<Buffer[]>;
    try {
      parts = this.encoder.encode(f);
    } catch (e) {
      return this.fail(e);
    }
    if (Array.isArray(parts)) return this.send(parts);
    this.converting = true;
    parts.then(
      (p) => {
        this.converting = false;
        this.send(p);
      },
      (e) => {
        this.converting = false;
        this.fail(e);
      },
    );
  }

  private send(parts: Buffer[]): void {
    if (this.closed) return this.notify();
    this.socket.cork();
    for (const p of parts) this.socket.write(p);
    this.socket.uncork();
    if (this.socket.writableNeedDrain) this.armStall();
    this.notify();
  }

  private armStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      if (!this.socket.writableNeedDrain) return;
      this.log.warn(`${this.socket.remoteAddress}:${this.socket.remotePort} read nothing for ${this.writeStallMs} ms; disconnected`);
      this.socket.destroy();
    }, this.writeStallMs);
    this.stallTimer.unref();
  }

  private fail(e: unknown): void {
    this.log.error(isCamwireError(e) ? `${e.message} (${e.code})` : `cannot convert a frame: ${String(e)}`);
    this.socket.destroy();
    this.notify();
  }

  private notify(): void {
    if (!this.socket.writableNeedDrain) clearTimeout(this.stallTimer);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
