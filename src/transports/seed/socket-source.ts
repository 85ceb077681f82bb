/**
 * socket-source: reads one TCP connection of a seed format into pictures. A protocol violation
 * (a pickle that is not a numpy array, a declared length above maxFrameBytes …) is logged once
 * and closes that connection only; a message that parses but holds no picture is dropped and
 * counted. A peer that goes quiet for timeoutMs, or leaves mid-message, is simply let go: its
 * partial message is discarded with the decoder, nothing keeps running for it.
 */
import type { Socket } from 'node:net';
import { createError, isCamwireError } from '../../util/errors.js';
import type { PreAuthBudget } from '../../util/peer-limits.js';
import { RateLimitedReport, type Logger } from '../../util/logger.js';
import { SeedDecoder, type TcpWire } from './formats.js';
import type { SeedPicture } from './picture.js';

/** SocketSourceOptions: the limits of one reading connection. */
export interface SocketSourceOptions {
  wire: TcpWire;
  maxFrameBytes: number;
  /** timeoutMs: close when nothing arrived for this long (the old programs send no keepalives, but frames). */
  timeoutMs: number;
  /** budget: the unfinished message's bytes are charged here while held (a listener's pre-auth budget); full → CAMWIRE_ERR_OVERLOADED, connection closed. */
  budget?: PreAuthBudget;
}

/** readPictures feeds `socket` through a decoder into `onPicture` until the socket closes. */
export function readPictures(socket: Socket, opts: SocketSourceOptions, onPicture: (p: SeedPicture) => void, log: Logger): void {
  const who = `${socket.remoteAddress}:${socket.remotePort}`;
  const decoder = new SeedDecoder(opts.wire, opts.maxFrameBytes);
  const bad = new RateLimitedReport((n) => log.warn(`${who}: dropped ${n} wire=${opts.wire} message(s) holding no whole picture`));
  socket.setNoDelay(true);
  socket.setTimeout(opts.timeoutMs, () => {
    log.warn(`${who}: nothing received for ${opts.timeoutMs} ms; closing`);
    socket.destroy();
  });
  let charged = 0;
  const recharge = () => {
    const held = socket.destroyed ? 0 : decoder.bufferedBytes;
    if (held > charged && !opts.budget!.charge(held - charged)) {
      throw createError('CAMWIRE_ERR_OVERLOADED', `input held for unauthenticated peers reached ${opts.budget!.maxBytes} bytes (preAuthBudgetBytes); try again shortly`);
    }
    if (held < charged) opts.budget!.release(charged - held);
    charged = held;
  };
  if (opts.budget) socket.on('close', () => (opts.budget!.release(charged), (charged = 0)));
  socket.on('data', (chunk: Buffer) => {
    let items: ReturnType<SeedDecoder['push']>;
    try {
      items = decoder.push(chunk);
      if (opts.budget) recharge();
    } catch (e) {
      log.warn(`${who}: ${isCamwireError(e) ? `${e.message} (${e.code})` : String(e)}; connection closed`);
      return void socket.destroy();
    }
    for (const p of items) {
      if (socket.destroyed) return;
      if (p instanceof Error) bad.add();
      else onPicture(p);
    }
  });
  socket.on('end', () => {
    try {
      decoder.end();
    } catch (e) {
      log.debug(`${who}: ${(e as Error).message}`);
    }
    socket.destroy();
  });
  socket.on('error', (e: NodeJS.ErrnoException) => log.debug(`${who}: ${e.code ?? e.message}`));
}
