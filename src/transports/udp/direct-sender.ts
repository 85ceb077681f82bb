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
import { FrameSender, pump, randomStreamId, sendEnd } from './frame-sender.js';
import type { UdpOptions } from './options.js';
import { resolveHost } from './socket.js';

const log = createLogger('udp');

/** UdpDirectSender sends frames to host:port, unicast or multicast; see the file comment. */
export class UdpDirectSender {
  private closed = false;

  private constructor(
    private readonly endpoint: UdpEndpoint,
    private readonly sender: FrameSender,
    private readonly address: string,
    private readonly port: number,
    /** multicast: the destination is a group. */
    readonly multicast: boolean,
  ) {}

  /** open resolves the destination and opens the socket (multicast options when it is a group). */
  static async open(host: string, port: number, opts: UdpOptions): Promise<UdpDirectSender> {
    const { address, family } = await resolveHost(host);
    const multicast = isMulticastAddress(address);
    const label = `udp://${hostForUrl(address)}:${port}`;
    let sender: FrameSender | undefined;
    const onDatagram = (d: Datagram, from: RemoteInfo) => {
      // Only the receiver we send to may ask for repairs (a stranger could aim our traffic elsewhere).
      if (d.type === 'nack' && sender && !multicast && from.address === address && from.port === port) sender.onNack(d.nack);
      else endpoint.ignore(from, `unexpected ${d.type.toUpperCase()}`);
    };
    const endpoint = await UdpEndpoint.open(
      { family, multicast: multicast ? { group: address, iface: opts.iface, ttl: opts.ttl, loopback: opts.loopback, join: false } : undefined },
      label,
      opts.maxFrameBytes,
      onDatagram,
    );
    sender = new FrameSender(randomStreamId(), (parts) => endpoint.send(parts, port, address), { ...opts, retransmit: opts.nack && !multicast });
    log.debug(`${label}: stream id ${sender.streamId.toString(16)}${multicast ? `, multicast ttl ${opts.ttl}` : ''}`);
    return new UdpDirectSender(endpoint, sender, address, port, multicast);
  }

  /**
   * run sends what `reader` yields until it ends, then tells the receivers (END) and closes;
   * resolves then, or when close() is called.
   */
  async run(reader: Reader): Promise<void> {
    await pump(reader, this.sender, () => this.closed, async () => {
      await sendEnd((b) => this.endpoint.send(b, this.port, this.address), this.sender.streamId);
      await this.close();
    });
  }

  /** close stops sending and closes the socket. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.sender.close();
    await this.endpoint.close();
  }
}
