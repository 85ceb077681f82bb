/**
 * lossy-relay: a UDP relay on 127.0.0.1 that loses, bursts, reorders and duplicates datagrams
 * on purpose, from a seed, so loss-recovery tests and benchmarks see the same network twice.
 *
 * Senders aim at `relay.port`; the relay forwards to the target from one upstream socket per
 * sender (like a NAT), and forwards the target's answers (NACKs, WELCOMEs) back the same way.
 * Both directions go through the same loss model unless `forwardOnly` is set.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { Prng } from './prng.js';

/** LossOptions: the impairments, each a probability per datagram. */
export interface LossOptions {
  seed: number;
  /** loss: random, independent loss. */
  loss?: number;
  /** burst: Gilbert–Elliott bursts — enter the bad state with p `enter`, leave it with p `exit`; all lost while bad. */
  burst?: { enter: number; exit: number };
  /** reorder: a datagram is held back and sent after the next one. */
  reorder?: number;
  /** duplicate: a datagram is sent twice. */
  duplicate?: number;
  /** ipFragmentBytes: model IP fragmentation — a datagram is lost if any of its ⌈size/ipFragmentBytes⌉ pieces is. */
  ipFragmentBytes?: number;
  /** forwardOnly: impair only sender → target, not the answers. */
  forwardOnly?: boolean;
  /** tap: sees every datagram offered in either direction, as a sniffer on the path would. */
  tap?: (datagram: Buffer) => void;
}

/** RelayStats: what the relay did. */
export interface RelayStats {
  /** offeredBytes / offeredDatagrams: what senders sent towards the target, before any impairment. */
  offeredBytes: number;
  offeredDatagrams: number;
  forwarded: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  bytes: number;
}

/** LossModel decides the fate of each datagram (pure, seeded). */
export class LossModel {
  private readonly prng: Prng;
  private bad = false;

  constructor(private readonly o: LossOptions) {
    this.prng = new Prng(o.seed);
  }

  /** fate says what happens to a datagram of `bytes` bytes. */
  fate(bytes: number): 'drop' | 'pass' | 'duplicate' | 'hold' {
    const pieces = this.o.ipFragmentBytes ? Math.max(1, Math.ceil(bytes / this.o.ipFragmentBytes)) : 1;
    let lost = false;
    for (let i = 0; i < pieces; i++) {
      if (this.o.burst) this.bad = this.bad ? !this.prng.chance(this.o.burst.exit) : this.prng.chance(this.o.burst.enter);
      if (this.bad || this.prng.chance(this.o.loss ?? 0)) lost = true;
    }
    if (lost) return 'drop';
    if (this.prng.chance(this.o.duplicate ?? 0)) return 'duplicate';
    if (this.prng.chance(this.o.reorder ?? 0)) return 'hold';
    return 'pass';
  }
}

/** LossyRelay forwards datagrams to a target with impairments; see the file comment. */
export class LossyRelay {
  readonly stats: RelayStats = { offeredBytes: 0, offeredDatagrams: 0, forwarded: 0, dropped: 0, duplicated: 0, reordered: 0, bytes: 0 };
  private readonly upstream = new Map<string, Socket>();
  private readonly model: LossModel;
  private readonly held = new Map<Socket, { data: Buffer; port: number; address: string; timer: NodeJS.Timeout }>();

  private constructor(
    private readonly front: Socket,
    private readonly target: { host: string; port: number },
    private readonly opts: LossOptions,
  ) {
    this.model = new LossModel(opts);
    front.on('message', (m, from) => this.fromClient(m, from));
  }

  /** start binds the relay on 127.0.0.1 and forwards to target. */
  static async start(target: { host: string; port: number }, opts: LossOptions): Promise<LossyRelay> {
    return new LossyRelay(await bound(), target, opts);
  }

  /** port is where senders should aim. */
  get port(): number {
    return this.front.address().port;
  }

  /** upstreamPorts are the relay's own ports towards the target (one per sender): what an on-path attacker can inject into. */
  upstreamPorts(): number[] {
    return [...this.upstream.values()].map((s) => s.address().port);
  }

  /** close stops relaying. */
  async close(): Promise<void> {
    for (const h of this.held.values()) clearTimeout(h.timer);
    await Promise.all([this.front, ...this.upstream.values()].map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private fromClient(m: Buffer, from: RemoteInfo): void {
    this.opts.tap?.(m);
    this.stats.offeredBytes += m.length;
    this.stats.offeredDatagrams++;
    const key = `${from.address}:${from.port}`;
    let up = this.upstream.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.bind(0, '127.0.0.1');
      up.on('listening', () => up!.setRecvBufferSize(4 << 20));
      up.on('message', (answer) => (this.opts.tap?.(answer), this.forward(this.front, answer, from.port, from.address, !this.opts.forwardOnly)));
      this.upstream.set(key, up);
    }
    this.forward(up, m, this.target.port, this.target.host, true);
  }

  private forward(via: Socket, data: Buffer, port: number, address: string, impair: boolean): void {
    const fate = impair ? this.model.fate(data.length) : 'pass';
    if (fate === 'drop') {
      this.stats.dropped++;
      return;
    }
    const held = this.held.get(via);
    if (fate === 'hold' && !held) {
      this.stats.reordered++;
      // Released after the next datagram on this path, or after 5 ms if none comes.
      const timer = setTimeout(() => this.release(via), 5);
      this.held.set(via, { data, port, address, timer });
      return;
    }
    this.put(via, data, port, address);
    if (fate === 'duplicate') {
      this.stats.duplicated++;
      this.put(via, data, port, address);
    }
    this.release(via);
  }

  private release(via: Socket): void {
    const h = this.held.get(via);
    if (!h) return;
    this.held.delete(via);
    clearTimeout(h.timer);
    this.put(via, h.data, h.port, h.address);
  }

  private put(via: Socket, data: Buffer, port: number, address: string): void {
    this.stats.forwarded++;
    this.stats.bytes += data.length;
    via.send(data, port, address);
  }
}

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  s.setRecvBufferSize(4 << 20);
  return s;
}
