/**
 * server: the UDP side of a hub (`camwire serve --udp PORT`). Publishers send streams in,
 * subscribers get them out, all through one socket.
 *
 * A peer (one address:port) opens with HELLO and keeps it alive by repeating HELLO every
 * refreshMs; after EXPIRE_REFRESHES missed refreshes it is forgotten, so a viewer that vanished
 * costs nothing within seconds. Nothing is sent to an address before it echoed a cookie
 * (cookie.ts). Each subscriber reads through its own hub Reader (newest frame wins) and gets its
 * own paced FrameSender; each publisher gets its own FrameReceiver.
 *
 * Limits, so that strangers cannot take what real peers need: peers are admitted by the shared
 * PeerLimits (util/peer-limits: maxConnections, maxConnectionsPerAddress, handshake rate per
 * address); viewing a stream that does not exist is refused
 * (NOT_FOUND; the viewer keeps asking) rather than creating it; all publishers together hold at
 * most HUB_BUFFER_FRAMES maximum-size frames of reassembly memory; a publisher that costs more
 * than its CPU share (frame-receiver.ts) is dropped and refused for PENALTY_MS, and so is a
 * viewer that does not keep proving, with REPORTs, that it receives the frames sent to it.
 */
import type { RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import { isJpeg } from '../../codecs/jpeg.js';
import { DEFAULTS } from '../../config/defaults.js';
import { DEFAULT_STREAM, type Hub } from '../../hub/hub.js';
import { createError, isCamwireError, type CamwireError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { PeerLimits, PreAuthBudget } from '../../util/peer-limits.js';
import { encodeChallenge, encodeError, type Datagram, type Hello } from './control.js';
import { CookieJar } from './cookie.js';
import { peerKey, UdpEndpoint } from './endpoint.js';
import { SharedByteBudget } from './byte-budget.js';
import { checkProof } from './proof.js';
import { HubPeer, PublishPeer, ViewPeer } from './hub-peer.js';
import type { UdpOptions } from './options.js';
import type { FrameSenderStats } from './frame-sender.js';
import type { Authenticator } from '../../auth/index.js';

const log = createLogger('udp');

/** EXPIRE_REFRESHES: a peer is forgotten after 5 refresh intervals without a HELLO. */
export const EXPIRE_REFRESHES = 5;
/** HUB_BUFFER_FRAMES: all publishers together may hold 4 maximum-size frames in reassembly (64 MiB by default). */
export const HUB_BUFFER_FRAMES = 4;
/** FIRST_REPORT_MS: a new viewer reports its first frame at once; after 1 s of frames without a REPORT it is a ghost. */
export const FIRST_REPORT_MS = 1000;
/** REPORT_GRACE_MS: later, a viewer has at least 3 s (else EXPIRE_REFRESHES refreshes) between REPORTs. */
export const REPORT_GRACE_MS = 3000;
/** PENALTY_MS: a peer dropped for misbehaving is refused for 30 s. */
export const PENALTY_MS = 30_000;
/** PENALTY_MEMORY: at most 4096 penalised peers are remembered (the oldest is forgotten first). */
export const PENALTY_MEMORY = 4096;

/** RepairTotals: what the hub's senders of one stream spent on repairs (for /metrics). */
type RepairTotals = Pick<FrameSenderStats, 'repairBytes' | 'parityBytes' | 'nacks' | 'retransmitRefused'>;

/** addRepairs adds one sender's repair counters to a stream's totals. */
function addRepairs(t: RepairTotals | undefined, s: FrameSenderStats): RepairTotals {
  return { repairBytes: (t?.repairBytes ?? 0) + s.repairBytes, parityBytes: (t?.parityBytes ?? 0) + s.parityBytes, nacks: (t?.nacks ?? 0) + s.nacks, retransmitRefused: (t?.retransmitRefused ?? 0) + s.retransmitRefused };
}

/**
 * UdpServerOptions: where to listen, plus the UDP tuning; `limits` admits peers (default: PeerLimits from the config
 * defaults, maxConnections = maxPeers); `auth` is the hub's Authenticator (startHub passes the one every listener shares).
 */
export type UdpServerOptions = UdpOptions & { port: number; host: string; maxPeers?: number; limits?: PeerLimits; auth?: Authenticator };

/** UdpServer serves a Hub over UDP; see the file comment. */
export class UdpServer {
  private endpoint: UdpEndpoint | undefined;
  private readonly peers = new Map<string, HubPeer>();
  private readonly cookies = new CookieJar();
  private readonly limits: PeerLimits;
  /** penalties: peer key → until when (ms) its HELLOs are refused. */
  private readonly penalties = new Map<string, number>();
  private readonly budget: SharedByteBudget;
  private timer: NodeJS.Timeout | undefined;
  /** defended counts what the limits refused: parity and repairs (all publishers, past and present), peers dropped for CPU or for not reporting. */
  private readonly defended = { parityRefused: 0, repairRefused: 0, cpuDropped: 0, ghostsDropped: 0 };
  /** badFrames counts published frames whose payload did not match their codec (dropped). */
  badFrames = 0;
  /** gone: the repair counters of viewers already dropped, per stream (so /metrics counters never go down). */
  private readonly gone = new Map<string, RepairTotals>();

  constructor(
    private readonly hub: Hub,
    private readonly opts: UdpServerOptions,
  ) {
    this.budget = new SharedByteBudget(HUB_BUFFER_FRAMES * opts.maxFrameBytes);
    // Every UDP peer is admitted only once its HELLO is accepted: nothing is held for it before.
    this.limits = opts.limits ?? new PeerLimits({ ...DEFAULTS, maxConnections: opts.maxPeers ?? DEFAULTS.maxConnections, reservedConnections: 0 }, new PreAuthBudget(DEFAULTS.preAuthBudgetBytes));
  }

  /** defenses returns the counts of what the limits refused (see `defended`). */
  defenses(): { parityRefused: number; repairRefused: number; cpuDropped: number; ghostsDropped: number } {
    const d = { ...this.defended };
    for (const p of this.peers.values()) {
      if (!(p instanceof PublishPeer)) continue;
      const s = p.receiver.toJSON();
      d.parityRefused += s.parityRefused;
      d.repairRefused += s.repairRefused;
    }
    return d;
  }

  /**
   * metricFamilies: the UDP senders' repair work per stream for /metrics (the shape of
   * transports/http/metrics.ts Family, structural so transports do not import each other):
   * repair and parity bytes, NACKs, repairs refused over the cap, and the current parity.
   */
  metricFamilies(): { name: string; help: string; type: 'counter' | 'gauge'; samples: { labels?: Record<string, string>; value: number }[] }[] {
    const per = new Map(this.gone);
    const parity = new Map<string, number>();
    for (const p of this.peers.values()) {
      if (!(p instanceof ViewPeer)) continue;
      const s = p.sender.toJSON();
      per.set(p.stream, addRepairs(per.get(p.stream), s));
      parity.set(p.stream, Math.max(parity.get(p.stream) ?? 0, s.parityPercent));
    }
    const family = (name: string, help: string, v: (t: RepairTotals) => number) => ({
      name, help, type: 'counter' as const, samples: [...per].map(([stream, t]) => ({ labels: { stream }, value: v(t) })),
    });
    return [
      family('camwire_udp_repair_bytes_total', 'Bytes the UDP hub sent again to viewers that asked (NACK), headers included.', (t) => t.repairBytes),
      family('camwire_udp_parity_bytes_total', 'Bytes of FEC parity datagrams the UDP hub sent to viewers, headers included.', (t) => t.parityBytes),
      family('camwire_udp_nacks_total', 'NACKs received from UDP viewers.', (t) => t.nacks),
      family('camwire_udp_repairs_refused_total', 'Datagrams asked for again beyond the repair cap (a share of the stream).', (t) => t.retransmitRefused),
      { name: 'camwire_udp_parity_percent', help: 'Parity of the last frame sent to a UDP viewer, in percent of its data fragments (the highest over viewers).', type: 'gauge', samples: [...parity].map(([stream, value]) => ({ labels: { stream }, value })) },
    ];
  }

  /** bufferedBytes is what all publishers' reassembly holds now. */
  get bufferedBytes(): number {
    return this.budget.held;
  }

  /** start opens the socket; rejects with CAMWIRE_ERR_LISTEN if the port cannot be opened. */
  async start(): Promise<void> {
    const family = isIP(this.opts.host) === 6 ? 6 : 4;
    this.endpoint = await UdpEndpoint.open(
      { family, bindAddress: this.opts.host, port: this.opts.port, recvBufferBytes: this.opts.recvBufferBytes },
      'udp hub',
      this.opts.maxFrameBytes,
      (d, from) => this.onDatagram(d, from),
    );
    this.timer = setInterval(() => this.expire(), Math.min(this.opts.refreshMs, FIRST_REPORT_MS / 4));
  }

  /** port is the bound port (useful with port 0). */
  get port(): number {
    return this.endpoint?.port ?? 0;
  }

  /** peerCount is the number of live publishers and subscribers. */
  get peerCount(): number {
    return this.peers.size;
  }

  /** rejections counts ignored datagrams by code. */
  get rejections(): UdpEndpoint['rejections'] | undefined {
    return this.endpoint?.rejections;
  }

  /** close forgets every peer and closes the socket. Idempotent. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const p of [...this.peers.values()]) this.drop(p, 'hub closing');
    await this.endpoint?.close();
  }

  private onDatagram(d: Datagram, from: RemoteInfo): void {
    const key = peerKey(from);
    const peer = this.peers.get(key);
    switch (d.type) {
      case 'hello':
        return this.hello(d.hello, from, key);
      case 'data':
        if (peer instanceof PublishPeer && d.fragment.header.streamId === peer.streamId) return peer.receiver.onFragment(d.fragment);
        return this.endpoint!.ignore(from, 'DATA from a peer that is not publishing that stream id');
      case 'nack':
        if (peer instanceof ViewPeer) return peer.sender.onNack(d.nack);
        return this.endpoint!.ignore(from, 'NACK from a peer that is not subscribed');
      case 'report':
        if (peer instanceof ViewPeer && this.cookies.valid(key, d.report.cookie) && peer.prove(d.report)) return;
        return this.endpoint!.ignore(from, 'REPORT that proves nothing (unknown peer, stream id, cookie or frame)');
      case 'end':
      case 'bye':
        if (peer && d.streamId === peer.streamId) {
          if (d.type === 'end' && peer instanceof PublishPeer) peer.end();
          return this.drop(peer, d.type === 'end' ? 'ended' : 'left');
        }
        return this.endpoint!.ignore(from, `${d.type.toUpperCase()} for an unknown stream id`);
      default:
        return this.endpoint!.ignore(from, `a hub does not take ${d.type.toUpperCase()}`);
    }
  }

  private hello(h: Hello, from: RemoteInfo, key: string): void {
    const send = (b: Buffer) => this.endpoint!.send(b, from.port, from.address);
    // Every answer echoes the HELLO's nonce: a client takes no CHALLENGE, WELCOME or ERROR without it.
    if (!this.cookies.valid(key, h.cookie)) return send(encodeChallenge(this.cookies.issue(key), h.nonce));
    const fail = (e: CamwireError) => send(encodeError({ code: e.code, message: e.message, nonce: h.nonce }));
    if (this.opts.token && !checkProof(this.opts.token, h.cookie!, h)) return fail(createError('CAMWIRE_ERR_UNAUTHORIZED', 'missing or wrong token (pass --token)'));
    const old = this.peers.get(key);
    if (old?.matches(h)) {
      old.lastSeen = Date.now();
      return send(old.welcome(h.nonce));
    }
    const penalty = this.penalties.get(key);
    if (penalty !== undefined && penalty > Date.now()) return fail(createError('CAMWIRE_ERR_TOO_MANY_PEERS', `refused for ${Math.ceil((penalty - Date.now()) / 1000)} s more after misbehaving`));
    if (old) this.drop(old, 'replaced by a new HELLO');
    const admitted = this.limits.admit(from.address);
    if (admitted.error) return fail(admitted.error);
    admitted.slot.authenticate();
    let peer: HubPeer;
    try {
      peer = h.role === 'view' ? this.subscribe(h, from, key) : this.publish(h, from, key);
    } catch (e) {
      admitted.slot.close();
      return fail(isCamwireError(e) ? e : createError('CAMWIRE_ERR_MALFORMED_MESSAGE', String(e)));
    }
    peer.slot = admitted.slot;
    this.peers.set(key, peer);
    send(peer.welcome(h.nonce));
  }

  private subscribe(h: Hello, from: RemoteInfo, key: string): ViewPeer {
    const name = this.hub.resolve(h.stream);
    // Viewing must not create a stream: a flood of names would fill /api/streams with phantoms.
    if (!this.hub.get(name)) throw createError('CAMWIRE_ERR_NOT_FOUND', `no stream "${name}" on this hub yet`);
    const label = `udp ${key}${h.agent ? ` (${h.agent})` : ''}`;
    const peer = new ViewPeer(h, name, this.hub.read(name, { label }), this.endpoint!, from, this.opts);
    peer.pump().then(() => this.drop(peer, 'stream ended'));
    log.debug(`${label} views "${name}"`);
    return peer;
  }

  private publish(h: Hello, from: RemoteInfo, key: string): PublishPeer {
    const name = h.stream || DEFAULT_STREAM;
    const label = `udp ${key}${h.agent ? ` (${h.agent})` : ''}`;
    const pub = this.hub.publish(name, label);
    log.info(`${label} publishes "${name}"`);
    const peer: PublishPeer = new PublishPeer(h, name, pub, this.endpoint!, from, this.opts, {
      frame: (f) => {
        if (f.codec === 'mjpeg' && !isJpeg(f.payload)) return void this.badFrames++;
        pub.publish({ ...f, stream: name });
      },
      budget: this.budget,
      overloaded: (cpuMs) => (this.defended.cpuDropped++, this.punish(peer, createError('CAMWIRE_ERR_CPU_SHARE', `${Math.round(cpuMs)} ms of CPU in one second is over this hub's per-publisher share`))),
    });
    return peer;
  }

  private expire(): void {
    const now = Date.now();
    const grace = EXPIRE_REFRESHES * this.opts.refreshMs;
    for (const p of [...this.peers.values()]) {
      if (p.lastSeen < now - grace) this.drop(p, `no HELLO for ${grace} ms`);
      else if (p instanceof ViewPeer && p.unprovenMs(now) > (p.everProved ? Math.max(grace, REPORT_GRACE_MS) : FIRST_REPORT_MS)) {
        // A viewer that never proved anything is refused for a while; one that lapsed may come back at once.
        const e = createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `no REPORT proving the stream is received`);
        this.defended.ghostsDropped++;
        if (p.everProved) this.drop(p, e.message);
        else this.punish(p, e);
      }
    }
  }

  /** punish drops a misbehaving peer, tells it why, and refuses its HELLOs for PENALTY_MS. */
  private punish(peer: HubPeer, e: CamwireError): void {
    if (this.penalties.size >= PENALTY_MEMORY) this.penalties.delete(this.penalties.keys().next().value!);
    this.penalties.set(peer.key, Date.now() + PENALTY_MS);
    this.endpoint?.send(encodeError({ code: e.code, message: e.message, nonce: peer.nonce }), peer.port, peer.address);
    log.warn(`udp ${peer.key} (${peer.role} "${peer.stream}") dropped: ${e.message}`);
    this.drop(peer, e.code);
  }

  private drop(peer: HubPeer, why: string): void {
    if (this.peers.get(peer.key) !== peer) return;
    this.peers.delete(peer.key);
    if (peer instanceof PublishPeer) {
      const s = peer.receiver.toJSON();
      this.defended.parityRefused += s.parityRefused;
      this.defended.repairRefused += s.repairRefused;
    } else if (peer instanceof ViewPeer) {
      this.gone.set(peer.stream, addRepairs(this.gone.get(peer.stream), peer.sender.toJSON()));
    }
    peer.slot?.close();
    peer.close();
    log.debug(`udp ${peer.key} (${peer.role} "${peer.stream}"): ${why}`);
  }
}
