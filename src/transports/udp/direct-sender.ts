/**
 * direct-sender: camwire UDP without a hub, sending side — frames to one receiver (unicast) or a
 * whole group (multicast). A unicast receiver may ask for lost fragments again; a multicast
 * group relies on parity alone (a thousand viewers must not each ask).
 */
import type { RemoteInfo } from 'node:dgram';
import type { Reader } from '../../hub/reader.js';
import { isMulticastAddress } from '../../config/udp-url.js';
import { hostForUrl } from '../../config/url.js';
import { createLogger } from '../../util/logger.js';
import type { Datagram } from './control.js';
import { UdpEndpoint } from './endpoint.js';
import { FrameSender, randomStreamId, sendStream } from './frame-sender.js';
import type { UdpOptions } from './options.js';
import { resolveHost } from './socket.js';

const log = createLogger('udp');

/**
 * UdpDirectSender sends what a hub Reader yields to host:port, unicast or multicast (see the
 * file comment): `start()` opens the socket and starts sending; `done` resolves when the reader
 * ended (END sent) or after close().
 */
export class UdpDirectSender {
  /** done resolves when sending stopped: the stream ended (END sent) or close() was called. */
  readonly done: Promise<void>;
  private finish!: () => void;
  private endpoint: UdpEndpoint | undefined;
  private sender: FrameSender | undefined;
  private closing: Promise<void> | undefined;
  /** multicast: the destination is a group (known after start()). */
  multicast = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly reader: Reader,
    private readonly opts: UdpOptions,
  ) {
    this.done = new Promise((r) => (this.finish = r));
  }

  /** start resolves the destination, opens the socket (multicast options for a group) and starts sending. */
  async start(): Promise<void> {
    const { host, port, opts } = this;
    const { address, family } = await resolveHost(host);
    const multicast = (this.multicast = isMulticastAddress(address));
    const label = `udp://${hostForUrl(address)}:${port}`;
    const onDatagram = (d: Datagram, from: RemoteInfo) => {
      // Only the receiver we send to may ask for repairs (a stranger could aim our traffic elsewhere).
      if (d.type === 'nack' && this.sender && !multicast && from.address === address && from.port === port) this.sender.onNack(d.nack);
      else endpoint.ignore(from, `unexpected ${d.type.toUpperCase()}`);
    };
    const endpoint = await UdpEndpoint.open(
      { family, multicast: multicast ? { group: address, iface: opts.iface, ttl: opts.ttl, loopback: opts.loopback, join: false } : undefined },
      label,
      opts.maxFrameBytes,
      onDatagram,
    );
    if (this.closing) return void (await endpoint.close());
    this.endpoint = endpoint;
    const send = (b: Buffer | readonly Buffer[]) => endpoint.send(b, port, address);
    const sender = (this.sender = new FrameSender(randomStreamId(), send, { ...opts, retransmit: opts.nack && !multicast }));
    log.debug(`${label}: stream id ${sender.streamId.toString(16)}${multicast ? `, multicast ttl ${opts.ttl}` : ''}`);
    void sendStream(this.reader, sender, send).then((ended) => (ended ? this.close() : undefined));
  }

  /** close stops sending, releases the reader and closes the socket. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.sender?.close();
      this.reader.close();
      await this.endpoint?.close();
      this.finish();
    })());
  }
}
