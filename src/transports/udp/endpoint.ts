/**
 * endpoint: one open camwire UDP socket — every datagram checked and decoded before anyone sees
 * it, the ignored ones counted, sends that never throw. Senders, receivers, hub clients and the
 * hub server are all built on it.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { hostForUrl } from '../../config/url.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import { describeNetError } from '../../util/neterr.js';
import { decodeDatagram, type Datagram } from './control.js';
import { Rejections } from './rejections.js';
import { openUdpSocket, type UdpSocketOptions } from './socket.js';
import { isRejection, reject } from './wire.js';

const log = createLogger('udp');

/** DatagramHandler receives each valid datagram with its sender's address. */
export type DatagramHandler = (d: Datagram, from: RemoteInfo) => void;

/** peerKey names a remote address as `host:port` (IPv6 bracketed), the key peers are tracked by. */
export function peerKey(from: Pick<RemoteInfo, 'address' | 'port'>): string {
  return `${hostForUrl(from.address)}:${from.port}`;
}

/** UdpEndpoint wraps an open socket; see the file comment. */
export class UdpEndpoint {
  readonly rejections: Rejections;
  sendErrors = 0;
  private closed = false;
  private lastSendError = '';
  private readonly sendErrorReport: RateLimitedReport;

  private constructor(
    readonly socket: Socket,
    readonly label: string,
    maxFrameBytes: number,
    onDatagram: DatagramHandler,
  ) {
    this.rejections = new Rejections(label);
    this.sendErrorReport = new RateLimitedReport((n) => log.warn(`${label}: ${n} datagram${n === 1 ? '' : 's'} could not be sent (${this.lastSendError})`));
    socket.on('message', (msg, from) => {
      const d = decodeDatagram(msg, maxFrameBytes);
      if (isRejection(d)) this.rejections.add(d, peerKey(from));
      else onDatagram(d, from);
    });
  }

  /** open binds a socket as described and starts decoding what arrives. */
  static async open(sock: UdpSocketOptions, label: string, maxFrameBytes: number, onDatagram: DatagramHandler): Promise<UdpEndpoint> {
    return new UdpEndpoint(await openUdpSocket(sock), label, maxFrameBytes, onDatagram);
  }

  /** port is the bound local port. */
  get port(): number {
    return this.socket.address().port;
  }

  /** ignore counts a valid datagram that this endpoint does not accept (a stranger, a stale id). */
  ignore(from: RemoteInfo, reason: string): void {
    this.rejections.add(reject('CAMWIRE_ERR_UNKNOWN_PEER', reason), peerKey(from));
  }

  /** send writes one datagram (or its parts) to address:port; failures are counted, never thrown. */
  send(data: Buffer | readonly Buffer[], port: number, address: string): void {
    if (this.closed) return;
    this.socket.send(data as Buffer[], port, address, (e) => {
      if (!e) return;
      this.sendErrors++;
      this.lastSendError = describeNetError(e);
      this.sendErrorReport.add();
    });
  }

  /** close closes the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((r) => this.socket.close(() => r()));
  }
}
