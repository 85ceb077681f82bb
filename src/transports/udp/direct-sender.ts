/**
 * direct-sender: camwire UDP without a hub, sending side — frames to one receiver (unicast) or a
 * whole group (multicast). Receivers ask for lost fragments again (NACK) and report their loss
 * (LOSS). To a group, any member may ask (a hostile one included): each repair goes once per
 * round to the whole group, all repairs together stay within MULTICAST_REPAIR_SHARE of the
 * stream (frame-sender.ts), and parity follows the worst recent LOSS within its cap (`--fec
 * auto`, the default for multicast; auto-parity.ts). A hub re-multicasting a stream
 * (`camwire send tcp://hub/x udp://GROUP:PORT`) is this sender.
 */
import type { RemoteInfo } from 'node:dgram';
import type { Reader } from '../../hub/reader.js';
import { isMulticastAddress } from '../../config/udp-url.js';
import { hostForUrl } from '../../config/url.js';
import { createLogger } from '../../util/logger.js';
import type { Datagram } from './control.js';
import { UdpEndpoint } from './endpoint.js';
import { FrameSender, randomStreamId, sendStream, type FrameSenderStats } from './frame-sender.js';
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
      // Unicast: only the receiver we send to may ask (a stranger could aim our traffic elsewhere).
      // Multicast: repairs go to the group, never to the asker, so any member may ask.
      const member = multicast || (from.address === address && from.port === port);
      if (d.type === 'nack' && this.sender && member) this.sender.onNack(d.nack);
      else if (d.type === 'loss' && this.sender && member) this.sender.onLoss(d.loss);
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
    const sender = (this.sender = new FrameSender(randomStreamId(), send, { ...opts, retransmit: opts.nack, multicast, fecAuto: opts.fecAuto ?? multicast }));
    log.debug(`${label}: stream id ${sender.streamId.toString(16)}${multicast ? `, multicast ttl ${opts.ttl}` : ''}`);
    void sendStream(this.reader, sender, send).then((ended) => (ended ? this.close() : undefined));
  }

  /** stats returns the sender's counters (repairs, parity, LOSS reports), once started. */
  stats(): FrameSenderStats | undefined {
    return this.sender?.toJSON();
  }

  /** close stops sending, releases the reader and closes the socket. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (this.sender) log.info(`${this.endpoint?.label}: ${summary(this.sender.toJSON())}`);
      this.sender?.close();
      this.reader.close();
      await this.endpoint?.close();
      this.finish();
    })());
  }
}

/** summary is the log line a sender ends with: what repairs and parity cost. */
function summary(s: FrameSenderStats): string {
  const pct = (n: number) => (s.bytes ? ((100 * n) / s.bytes).toFixed(1) : '0');
  return `${s.frames} frames, parity ${pct(s.parityBytes)} % of bytes (last frame ${s.parityPercent} %), ${s.retransmitted} repairs (${pct(s.repairBytes)} %) for ${s.nacks} NACKs, ${s.retransmitRefused} refused over the cap`;
}
