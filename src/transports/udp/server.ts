/**
 * server: the UDP side of a hub (`camwire serve --udp PORT`). Publishers send streams in,
 * subscribers get them out, all through one socket.
 *
 * A peer (one address:port) opens with HELLO and keeps it alive by repeating HELLO every
 * refreshMs; after EXPIRE_REFRESHES missed refreshes it is forgotten, so a viewer that vanished
 * costs nothing within seconds. Nothing is sent to an address before it echoed a cookie
 * (cookie.ts). Each subscriber reads through its own hub Reader (newest frame wins) and gets its
 * own paced FrameSender; each publisher gets its own FrameReceiver.
 */
import type { RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import { isJpeg } from '../../codecs/jpeg.js';
import { DEFAULTS } from '../../config/defaults.js';
import { DEFAULT_STREAM, type Hub } from '../../hub/hub.js';
import { createError, isCamwireError, type CamwireError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { encodeChallenge, encodeError, type Datagram, type Hello } from './control.js';
import { CookieJar } from './cookie.js';
import { peerKey, UdpEndpoint } from './endpoint.js';
import { HubPeer, PublishPeer, ViewPeer } from './hub-peer.js';
import type { UdpOptions } from './options.js';

const log = createLogger('udp');

/** EXPIRE_REFRESHES: a peer is forgotten after 5 refresh intervals without a HELLO. */
export const EXPIRE_REFRESHES = 5;

/** UdpServerOptions: where to listen, plus the UDP tuning; maxPeers defaults to maxConnections (config). */
export type UdpServerOptions = UdpOptions & { port: number; host: string; maxPeers?: number };

/** UdpServer serves a Hub over UDP; see the file comment. */
export class UdpServer {
  private endpoint: UdpEndpoint | undefined;
  private readonly peers = new Map<string, HubPeer>();
  private readonly cookies = new CookieJar();
  private timer: NodeJS.Timeout | undefined;
  /** badFrames counts published frames whose payload did not match their codec (dropped). */
  badFrames = 0;

  constructor(
    private readonly hub: Hub,
    private readonly opts: UdpServerOptions,
  ) {}

  /** start opens the socket; rejects with CAMWIRE_ERR_LISTEN if the port cannot be opened. */
  async start(): Promise<void> {
    const family = isIP(this.opts.host) === 6 ? 6 : 4;
    this.endpoint = await UdpEndpoint.open(
      { family, bindAddress: this.opts.host, port: this.opts.port, recvBufferBytes: this.opts.recvBufferBytes },
      'udp hub',
      this.opts.maxFrameBytes,
      (d, from) => this.onDatagram(d, from),
    );
    this.timer = setInterval(() => this.expire(), this.opts.refreshMs);
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
    if (!this.cookies.valid(key, h.cookie)) return send(encodeChallenge(this.cookies.issue(key)));
    const fail = (e: CamwireError) => send(encodeError({ code: e.code, message: e.message }));
    if (this.opts.token && h.token !== this.opts.token) return fail(createError('CAMWIRE_ERR_UNAUTHORIZED', 'missing or wrong token (pass --token)'));
    const old = this.peers.get(key);
    if (old?.matches(h)) {
      old.lastSeen = Date.now();
      return send(old.welcome());
    }
    if (old) this.drop(old, 'replaced by a new HELLO');
    if (this.peers.size >= (this.opts.maxPeers ?? DEFAULTS.maxConnections)) {
      return fail(createError('CAMWIRE_ERR_TOO_MANY_PEERS', `this hub already serves ${this.peers.size} UDP peers`));
    }
    let peer: HubPeer;
    try {
      peer = h.role === 'view' ? this.subscribe(h, from, key) : this.publish(h, from, key);
    } catch (e) {
      return fail(isCamwireError(e) ? e : createError('CAMWIRE_ERR_MALFORMED_MESSAGE', String(e)));
    }
    this.peers.set(key, peer);
    send(peer.welcome());
  }

  private subscribe(h: Hello, from: RemoteInfo, key: string): ViewPeer {
    const name = this.hub.resolve(h.stream);
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
    return new PublishPeer(h, name, pub, this.endpoint!, from, this.opts, (f) => {
      if (f.codec === 'mjpeg' && !isJpeg(f.payload)) return void this.badFrames++;
      pub.publish({ ...f, stream: name });
    });
  }

  private expire(): void {
    const limit = Date.now() - EXPIRE_REFRESHES * this.opts.refreshMs;
    for (const p of [...this.peers.values()]) if (p.lastSeen < limit) this.drop(p, `no HELLO for ${EXPIRE_REFRESHES * this.opts.refreshMs} ms`);
  }

  private drop(peer: HubPeer, why: string): void {
    if (this.peers.get(peer.key) !== peer) return;
    this.peers.delete(peer.key);
    peer.close();
    log.debug(`udp ${peer.key} (${peer.role} "${peer.stream}"): ${why}`);
  }
}
