/**
 * countdown-socket: the sender and the receiver of wire=countdown (lab3-redes, 001) on real
 * UDP sockets; the byte work is in countdown.ts.
 *
 * The sender greets with one `Hello` as it opens (old receivers take the first datagram as the
 * greeting and crash on a second), never again, ignores `ack`s, and spreads each frame's slices
 * over `pacePercent` of the frame interval. The receiver binds with address reuse (any number of
 * receivers per host), joins the group for a multicast address, ignores Hello and ack, answers
 * nothing, and publishes only whole pictures.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Frame } from '../../frame/frame.js';
import type { FrameSink } from '../../hub/pump.js';
import { hostForUrl } from '../../config/url.js';
import { isMulticastAddress } from '../../config/udp-url.js';
import { createError, isCamwireError } from '../../util/errors.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import { describeNetError } from '../../util/neterr.js';
import type { AllowList } from './allow.js';
import { CountdownReassembler, countdownSlices, COUNTDOWN_HELLO } from './countdown.js';
import type { SeedPicture } from './picture.js';

const log = createLogger('seed');

/** PACE_MAX_WINDOW_MS: however slow the stream, one frame's slices leave within 50 ms. */
const PACE_MAX_WINDOW_MS = 50;

/** CountdownSocketOptions: the socket settings shared by sender and receiver. */
export interface CountdownSocketOptions {
  host: string;
  port: number;
  ttl: number;
  iface?: string;
  loopback: boolean;
}

async function open(family: 4 | 6, port: number, address: string | undefined, reuse: boolean): Promise<Socket> {
  const s = createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: reuse });
  await new Promise<void>((resolve, reject) => {
    s.once('error', (e: NodeJS.ErrnoException) => reject(createError('CAMWIRE_ERR_LISTEN', `cannot open udp://${hostForUrl(address ?? '')}:${port}: ${describeNetError(e)}`, { cause: e })));
    s.bind(port, address, () => resolve());
  });
  s.removeAllListeners('error');
  s.on('error', (e) => log.debug(`udp socket: ${e.message}`));
  return s;
}

/** CountdownSender sends frames as countdown datagrams; it is the FrameSink of the pump. */
export class CountdownSender implements FrameSink {
  private pacing = false;
  private wake: (() => void) | undefined;
  /** hurry: a newer frame waits, so what is left of this one goes out at once. */
  private hurry = false;
  private tick: (() => void) | undefined;
  private lastFrameAt: number | undefined;
  private intervalMs = 1000 / 30;
  private isClosed = false;
  private readonly tooLarge = new RateLimitedReport((n) => log.warn(`skipped ${n} frame(s) too large for 255 countdown slices (lower --quality or --size, or raise --mtu)`));

  private socket: Socket | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly o: CountdownSocketOptions & { sliceBytes: number; pacePercent: number }) {}

  /** start binds an ephemeral port, sets the multicast options and sends the one Hello (once; CAMWIRE_ERR_LISTEN if it cannot). */
  start(): Promise<void> {
    return (this.starting ??= (async () => {
      const o = this.o;
      const s = await open(isIP(o.host) === 6 ? 6 : 4, 0, undefined, false);
      this.socket = s;
      s.on('message', () => {}); // old receivers answer Hello with "ack"; read and ignore
      if (isMulticastAddress(o.host)) {
        s.setMulticastTTL(o.ttl);
        s.setMulticastLoopback(o.loopback);
        if (o.iface) s.setMulticastInterface(o.iface);
      }
      if (this.isClosed) return;
      await new Promise<void>((r) => s.send(COUNTDOWN_HELLO, o.port, o.host, () => r()));
      log.info(`sending wire=countdown to udp://${hostForUrl(o.host)}:${o.port} in slices of ${o.sliceBytes} bytes (start old receivers before this sender)`);
    })());
  }

  /** closed tells whether close() was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** busy: the previous frame's slices are still leaving. */
  busy(): boolean {
    return this.pacing;
  }

  /**
   * writable resolves when the frame in flight is out. The pump asks only when a newer frame
   * waits: then the rest of this one leaves at once (as camwire's own UDP sender does), so a
   * pacing timer that fires late on a busy machine never holds the next frame back.
   */
  writable(): Promise<void> {
    this.hurry = true;
    this.tick?.();
    return new Promise((r) => (this.wake = r));
  }

  /** write slices one frame and sends it paced; never waits. */
  write(f: Frame): void {
    if (f.codec !== 'mjpeg') {
      log.error(`wire=countdown carries JPEG pictures but the stream is ${f.codec}; send it with --codec mjpeg`);
      return void this.close();
    }
    if (!this.socket || this.isClosed) return; // not started, or closing: nothing to send with
    let ds: Buffer[];
    try {
      ds = countdownSlices(f.payload, this.o.sliceBytes);
    } catch (e) {
      if (isCamwireError(e, 'CAMWIRE_ERR_FRAME_TOO_LARGE')) return this.tooLarge.add();
      throw e;
    }
    this.pacing = true;
    void this.paced(ds).finally(() => {
      this.pacing = false;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    });
  }

  /** close closes the socket (after a start in progress). Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.isClosed = true;
      this.wake?.();
      this.tick?.();
      await this.starting?.catch(() => {});
      const s = this.socket;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    })());
  }

  private async paced(ds: Buffer[]): Promise<void> {
    const start = performance.now();
    if (this.lastFrameAt !== undefined) this.intervalMs = 0.75 * this.intervalMs + 0.25 * Math.min(1000, Math.max(4, start - this.lastFrameAt));
    this.lastFrameAt = start;
    const window = Math.min(PACE_MAX_WINDOW_MS, (this.o.pacePercent / 100) * this.intervalMs);
    this.hurry = false;
    let sent = 0;
    while (sent < ds.length && !this.isClosed) {
      const elapsed = performance.now() - start;
      const due = this.hurry || window <= 0 || elapsed >= window ? ds.length : Math.max(sent + 1, Math.ceil((ds.length * elapsed) / window));
      // send() queues in libuv; waiting for each callback would add an event-loop turn per datagram.
      while (sent < due) this.socket!.send(ds[sent++], this.o.port, this.o.host);
      if (sent < ds.length) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, 1);
          this.tick = () => {
            clearTimeout(t);
            r();
          };
        });
        this.tick = undefined;
      }
    }
  }
}

/** CountdownReceiver receives countdown datagrams and hands whole pictures to `onPicture`. */
export class CountdownReceiver {
  private readonly dropped = new RateLimitedReport((n) => log.warn(`wire=countdown: dropped ${n} incomplete or damaged frame(s) (lost datagrams)`));
  private readonly refused = new RateLimitedReport((n) => log.warn(`wire=countdown: ignored ${n} datagram(s) from addresses outside allow=`));

  /** reassembler rebuilds pictures from datagrams (its stats count drops). */
  readonly reassembler: CountdownReassembler;
  private socket: Socket | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly o: CountdownSocketOptions & { maxFrameBytes: number; recvBufferBytes: number; allow: AllowList },
    private readonly onPicture: (p: SeedPicture) => void,
  ) {
    this.reassembler = new CountdownReassembler(o.maxFrameBytes);
  }

  /** start binds (with address reuse) and joins the group for a multicast host; '' binds every interface. Once; CAMWIRE_ERR_LISTEN if it cannot. */
  start(): Promise<void> {
    return (this.starting ??= this.open());
  }

  private async open(): Promise<void> {
    const o = this.o;
    const group = o.host !== '' && isMulticastAddress(o.host);
    const family = isIP(o.host) === 6 ? 6 : 4;
    // A group member binds the wildcard address: the group is joined below, not bound.
    const s = await open(family, o.port, group || o.host === '' ? undefined : o.host, true);
    try {
      s.setRecvBufferSize(o.recvBufferBytes);
    } catch {
      // The OS caps the size; the default still works at low rates.
    }
    if (group) {
      try {
        s.addMembership(o.host, o.iface);
      } catch (e) {
        s.close();
        throw createError('CAMWIRE_ERR_LISTEN', `cannot join multicast group ${o.host}${o.iface ? ` on ${o.iface}` : ''}: ${describeNetError(e)} (pick the interface with --iface ADDR)`, { cause: e });
      }
    }
    this.socket = s;
    let dropped = 0;
    s.on('message', (d, from) => {
      if (o.allow && !o.allow(from.address)) return this.refused.add();
      const p = this.reassembler.push(d);
      if (this.reassembler.stats.dropped > dropped) {
        this.dropped.add(this.reassembler.stats.dropped - dropped);
        dropped = this.reassembler.stats.dropped;
      }
      if (p && !this.closing) this.onPicture(p);
    });
    log.info(`receiving wire=countdown on udp://@${hostForUrl(o.host)}:${s.address().port}${group ? ' (multicast group joined)' : ''}`);
  }

  /** port is the bound port (0 before start and after close). */
  get port(): number {
    try {
      return this.socket?.address().port ?? 0;
    } catch {
      return 0; // closed
    }
  }

  /** close closes the socket (after a start in progress). Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.starting?.catch(() => {});
      const s = this.socket;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    })());
  }
}
