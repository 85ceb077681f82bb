/**
 * udp-peer: a bare UDP socket on 127.0.0.1 that speaks camwire UDP by hand, for tests that
 * play a misbehaving or vanishing peer.
 */
import { createSocket, type Socket } from 'node:dgram';
import { decodeDatagram, type Datagram } from '../../src/transports/udp/control.js';
import { isRejection } from '../../src/transports/udp/wire.js';
import { TEST_MAX_FRAME_BYTES } from '../../support/udp-frames.js';

/** RawPeer sends raw datagrams and collects the decoded ones it receives. */
export class RawPeer {
  readonly received: Datagram[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('message', (m) => {
      const d = decodeDatagram(m, TEST_MAX_FRAME_BYTES);
      if (!isRejection(d)) this.received.push(d);
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** open binds a socket on 127.0.0.1. */
  static async open(): Promise<RawPeer> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return new RawPeer(s);
  }

  /** port is the local port. */
  get port(): number {
    return this.socket.address().port;
  }

  /** send sends one datagram to 127.0.0.1:port. */
  send(b: Buffer, port: number): void {
    this.socket.send(b, port, '127.0.0.1');
  }

  /** next resolves with the first received datagram of `type` (consuming the ones before it). */
  async next<T extends Datagram['type']>(type: T, timeoutMs = 3000): Promise<Extract<Datagram, { type: T }>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex((d) => d.type === type);
      if (i >= 0) return this.received.splice(0, i + 1)[i] as Extract<Datagram, { type: T }>;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no ${type.toUpperCase()} within ${timeoutMs} ms (got ${this.received.map((d) => d.type).join(',') || 'nothing'})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  /** close closes the socket. */
  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
