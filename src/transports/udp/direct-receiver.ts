/**
 * direct-receiver: camwire UDP without a hub, receiving side — bound to a port (unicast) or
 * joined to a multicast group, where any number of receivers on one host share the port.
 *
 * It follows one sender at a time: the first stream that arrives, until that sender ends it
 * (END) or stays silent for SOURCE_TAKEOVER_MS. Datagrams from anyone else are counted and
 * ignored, so a second sender on the same port cannot splice its frames into the picture.
 *
 * NACKs and LOSS reports go to the address the data came from; a multicast receiver also sends
 * them to the group, and takes the other members' NACKs and LOSS reports for its stream to
 * suppress its own (frame-receiver.ts, nack-scheduler.ts).
 */
import type { RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import { isMulticastAddress } from '../../config/udp-url.js';
import { hostForUrl } from '../../config/url.js';
import { createLogger } from '../../util/logger.js';
import type { Datagram } from './control.js';
import { peerKey, UdpEndpoint } from './endpoint.js';
import { FrameReceiver, type FrameDelivery } from './frame-receiver.js';
import { receiverOptions, type UdpOptions } from './options.js';
import type { ReceiverStats, RepairSummary } from './frame-receiver.js';
import { resolveHost } from './socket.js';

const log = createLogger('udp');

/** SOURCE_TAKEOVER_MS: 2 s of silence before another sender is followed (a restart, not a rival). */
export const SOURCE_TAKEOVER_MS = 2000;

interface Source {
  address: string;
  port: number;
  streamId: number;
  lastAt: number;
  receiver: FrameReceiver;
}

/**
 * UdpDirectReceiver receives one sender's frames on a port or group (see the file comment):
 * `start()` binds, `close()` releases the socket and the reassembly timer.
 */
export class UdpDirectReceiver {
  private source: Source | undefined;
  /** group: the joined group's address, for NACKs and LOSS reports to the other members. */
  private group: string | undefined;
  private ended = false;
  private closing: Promise<void> | undefined;
  private endpoint!: UdpEndpoint;
  /** multicast: joined to a group (no NACKs); known after start(). */
  multicast = false;

  constructor(
    /** host: '' = every interface; a group address joins that group. */
    private readonly host: string,
    private readonly bindPort: number,
    private readonly opts: UdpOptions,
    private readonly sink: FrameDelivery,
  ) {}

  /** start binds the port (and joins the group); rejects with CAMWIRE_ERR_LISTEN. */
  async start(): Promise<void> {
    const { host, opts } = this;
    const port = this.bindPort;
    const { address, family } = host === '' ? { address: undefined, family: 4 as const } : await resolveHost(host);
    const multicast = (this.multicast = address !== undefined && isMulticastAddress(address));
    if (multicast) this.group = address;
    // On Linux, binding the group address keeps out datagrams for other groups on the same port.
    const bindAddress = multicast ? (process.platform === 'linux' && isIP(address!) === 4 ? address : undefined) : address;
    const label = `udp://@${address ? hostForUrl(address) : ''}:${port}`;
    const endpoint = await UdpEndpoint.open(
      {
        family,
        bindAddress,
        port,
        reuseAddr: multicast,
        recvBufferBytes: opts.recvBufferBytes,
        multicast: multicast ? { group: address!, iface: opts.iface, loopback: opts.loopback, join: true } : undefined,
      },
      label,
      opts.maxFrameBytes,
      (d, from) => this.onDatagram(d, from),
    );
    if (this.closing) return void (await endpoint.close());
    this.endpoint = endpoint;
  }

  /** port is the bound port. */
  get port(): number {
    return this.endpoint.port;
  }

  /** recvBufferBytes is the socket receive buffer the kernel granted (Linux reports twice the usable size). */
  get recvBufferBytes(): number {
    return this.endpoint.socket.getRecvBufferSize();
  }

  /** rejections counts ignored datagrams by code (malformed, strangers). */
  get rejections(): UdpEndpoint['rejections'] {
    return this.endpoint.rejections;
  }

  /** stats returns the current sender's reassembly counters, if any sender was heard. */
  stats(): ReceiverStats | undefined {
    return this.source?.receiver.toJSON();
  }

  /** repairs returns what `view --json` shows of the current sender's stream, if any was heard. */
  repairs(): RepairSummary | undefined {
    return this.source?.receiver.summarize();
  }

  /** close stops receiving and logs what was received. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.source?.receiver.close();
      if (!this.endpoint) return;
      await this.endpoint.close();
      if (this.source) log.info(`${this.endpoint.label}: ${this.source.receiver.summary()}`);
    })());
  }

  private onDatagram(d: Datagram, from: RemoteInfo): void {
    if (this.ended) return;
    const s = this.source;
    const mine = s !== undefined && s.address === from.address && s.port === from.port;
    if (d.type === 'end') {
      if (!mine || d.streamId !== s.streamId) return this.endpoint.ignore(from, 'END for a stream this receiver does not follow');
      this.ended = true;
      s.receiver.close();
      return this.sink.end();
    }
    // Other members' NACKs and LOSS reports on the group (and our own, looped back: harmless).
    if (d.type === 'nack' && this.multicast && s) return s.receiver.heardNack(d.nack);
    if (d.type === 'loss' && this.multicast && s) return s.receiver.heardLoss(d.loss);
    if (d.type !== 'data') return this.endpoint.ignore(from, `unexpected ${d.type.toUpperCase()}`);
    const streamId = d.fragment.header.streamId;
    const now = performance.now();
    if (!(mine && streamId === s.streamId)) {
      if (s && now - s.lastAt < SOURCE_TAKEOVER_MS) return this.endpoint.ignore(from, `stream ${streamId.toString(16)} while following ${peerKey(s)}`);
      this.follow(from, streamId);
    }
    this.source!.lastAt = now;
    this.source!.receiver.onFragment(d.fragment);
  }

  private follow(from: RemoteInfo, streamId: number): void {
    this.source?.receiver.close();
    const group = this.group;
    const tell = (b: Buffer) => {
      this.endpoint.send(b, from.port, from.address);
      if (group) this.endpoint.send(b, this.bindPort || this.endpoint.port, group);
    };
    const nack = this.opts.nack ? tell : undefined;
    const receiver = new FrameReceiver(streamId, { frame: (f) => this.sink.frame(f), nack, report: tell }, { ...receiverOptions(this.opts), multicast: this.multicast });
    log.info(`${this.endpoint.label}: receiving from ${peerKey(from)}${this.multicast ? ' (multicast)' : ''}`);
    this.source = { address: from.address, port: from.port, streamId, lastAt: 0, receiver };
  }
}
