/**
 * multicast-relay: a lossy multicast LAN on loopback for tests and benchmarks — one seeded
 * lossy relay per receiver (LossModel from lossy-relay.ts), so each receiver loses its own
 * independent pattern while the sender multicasts one stream, as on Wi-Fi.
 *
 * The sender sends to the main group G:port. Relay i joins G and forwards what it hears (DATA
 * and the other members' NACKs and LOSS reports), through its own loss model, to receiver i's
 * private group Gi:port, which only receiver i joins. What receiver i sends back:
 * - unicast to the address its data came from (relay i): forwarded to the sender, unimpaired;
 * - multicast to Gi: relay i hears it and forwards it to G, where every other relay hears it
 *   and passes it on (impaired) to its own receiver — members hear each other, as on a LAN.
 * A relay ignores what its own socket sent (multicast loops back on the host).
 * Group addresses are derived from the port, so parallel runs (different ports) never meet.
 * Each relay is started on its own (startLanRelay), so it can live in the thread of its receiver.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { LossModel, type LossOptions } from './lossy-relay.js';

/** LanRelayStats: what one relay did on the way to its receiver. */
export interface LanRelayStats {
  /** forwarded / dropped: datagrams from G towards the receiver. */
  forwarded: number;
  dropped: number;
  /** upstream: datagrams the receiver sent back (unicast to the sender, multicast to the group). */
  upstream: number;
}

const IFACE = '127.0.0.1';

/** groupAddress is group `k` of a LAN on `port` (k = 0 is the main group G). */
export function groupAddress(port: number, k: number): string {
  return `239.${100 + k}.${(port >> 8) & 255}.${port & 255}`;
}

async function socket(o: { bind: string; port: number; join?: string }): Promise<Socket> {
  const s = createSocket({ type: 'udp4', reuseAddr: o.join !== undefined });
  await new Promise<void>((r) => s.bind(o.port, o.bind, () => r()));
  if (o.join) s.addMembership(o.join, IFACE);
  s.setMulticastInterface(IFACE);
  s.setMulticastLoopback(true);
  s.setMulticastTTL(1);
  s.setRecvBufferSize(4 << 20);
  return s;
}

/** LanRelay carries G to one receiver's group Gi with its own losses; see the file comment. */
export class LanRelay {
  readonly stats: LanRelayStats = { forwarded: 0, dropped: 0, upstream: 0 };
  private readonly model: LossModel;
  /** source: where DATA on G came from (the sender), for the receiver's unicast answers. */
  private source: RemoteInfo | undefined;

  constructor(
    private readonly main: Socket,
    private readonly side: Socket,
    private readonly out: Socket,
    private readonly lan: { port: number; group: string; own: string },
    loss: LossOptions,
  ) {
    this.model = new LossModel(loss);
    const mine = (from: RemoteInfo) => from.port === out.address().port;
    main.on('message', (m, from) => {
      if (mine(from)) return;
      if (m.readUInt8(3) === 0x01) this.source = from; // DATA: the sender's address
      if (this.model.fate(m.length) === 'drop') return void this.stats.dropped++;
      this.stats.forwarded++;
      out.send(m, lan.port, lan.own);
    });
    // The receiver's multicast answers, on its group: on to G for the other members.
    side.on('message', (m, from) => {
      if (mine(from)) return;
      this.stats.upstream++;
      out.send(m, lan.port, lan.group);
    });
    // The receiver's unicast answers: on to the sender.
    out.on('message', (m) => {
      this.stats.upstream++;
      if (this.source) out.send(m, this.source.port, this.source.address);
    });
  }

  /** close closes the relay's sockets. */
  close(): Promise<void> {
    return Promise.all([this.main, this.side, this.out].map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {});
  }
}

/** receiverGroup is the group receiver i of a LAN on `port` joins (only its relay sends there). */
export function receiverGroup(port: number, i: number): string {
  return groupAddress(port, i + 1);
}

/**
 * startLanRelay opens relay i of the LAN on `port`: it carries the main group to
 * receiverGroup(port, i) through `loss`, and the receiver's answers back (see the file comment).
 */
export async function startLanRelay(port: number, i: number, loss: LossOptions): Promise<LanRelay> {
  const own = receiverGroup(port, i);
  const main = await socket({ bind: groupAddress(port, 0), port, join: groupAddress(port, 0) });
  const side = await socket({ bind: own, port, join: own });
  const out = await socket({ bind: IFACE, port: 0 });
  return new LanRelay(main, side, out, { port, group: groupAddress(port, 0), own }, loss);
}
