/**
 * remote-seed: readFrom / publishTo / `serve --stream` for URLs with `wire=` — the wire formats
 * of the five Python programs camwire replaces (transports/seed/formats lists them).
 *
 * ```
 * tcp://HOST:PORT?wire=W                 connect: receive from an old camera server (view, serve
 *                                        --stream) or push to an old viewer server (send)
 * tcp://ADDR:PORT?listen&wire=W[&allow=CIDR,…]
 *                                        listen: serve any number of old viewers (send), or take
 *                                        an old camera's pushes (view, serve --stream)
 * udp://GROUP|HOST:PORT?wire=countdown   send to an old receiver or a multicast group
 * udp://@[GROUP]:PORT?wire=countdown[&allow=…]   receive (joining GROUP)
 * ```
 */
import { Hub } from '../hub/hub.js';
import { pumpNewest } from '../hub/pump.js';
import type { Publisher } from '../hub/stream.js';
import type { Source } from '../sources/source.js';
import { DEFAULTS } from '../config/defaults.js';
import { isUdpUrl, parseUdpUrl } from '../config/udp-url.js';
import { parseStreamUrl, type StreamUrl } from '../config/url.js';
import { createError } from '../util/errors.js';
import { parseAllow, type AllowList } from '../transports/seed/allow.js';
import { CountdownReceiver, CountdownSender } from '../transports/seed/countdown-socket.js';
import { COUNTDOWN_SLICE_BYTES } from '../transports/seed/countdown.js';
import { checkWire, type TcpWire, type Wire } from '../transports/seed/formats.js';
import { FrameEncoder, type Size } from '../transports/seed/frame-encoder.js';
import { PicturePublisher } from '../transports/seed/picture-publisher.js';
import { SeedTcpConnector } from '../transports/seed/tcp-connector.js';
import { SeedTcpListener } from '../transports/seed/tcp-listener.js';
import type { RemoteOptions, RemotePublisher } from './remote.js';
import { remotePublisher, startOrClose, type PublisherLink } from './remote-publisher.js';

/** SeedOptions: remote options plus what only the seed formats use. */
export type SeedOptions = RemoteOptions & {
  /** size: pickle-bgr senders send raw frames of this size (default: the source's). */
  size?: Size;
  /** countdownSliceBytes: JPEG bytes per countdown datagram (default 1400; send --mtu sets MTU − 49). */
  countdownSliceBytes?: number;
};

/** SeedLink is the network side of a seed URL being received; `done` settles as TcpClient's does. */
export interface SeedLink {
  /** ready resolves once the socket is open (rejects with CAMWIRE_ERR_LISTEN and the like). */
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  close(): Promise<void>;
}

interface SeedUrl extends StreamUrl {
  wire: Wire;
  /** bind: receive here (udp://@…) — or, for tcp, ?listen. */
  bind: boolean;
  allow: AllowList;
}

/** isSeedUrl tells whether `text` is a tcp:// or udp:// URL with a `wire=` format. */
export function isSeedUrl(text: string): boolean {
  return /^(tcp|udp):/i.test(text) && /[?&]wire=/.test(text);
}

function parseSeedUrl(text: string): SeedUrl {
  const udp = isUdpUrl(text);
  const u = udp ? parseUdpUrl(text) : parseStreamUrl(text);
  const wire = checkWire(u.wire, u.scheme);
  const bind = udp ? (u as ReturnType<typeof parseUdpUrl>).bind : u.listen;
  const allow = parseAllow(u.params.get('allow'));
  if (allow && !bind) throw createError('CAMWIRE_ERR_BAD_URL', `"${text}": allow= limits who may reach a listening URL (${udp ? 'udp://@…' : '?listen'}); a connecting one chooses its peer itself`);
  return { ...u, wire, bind, allow };
}

/** pullSeedInto receives `url` into `pub`: from an old camera (connect), an old camera's pushes (?listen), or countdown datagrams. */
export function pullSeedInto(url: string, pub: Publisher, opts: SeedOptions): SeedLink {
  const u = parseSeedUrl(url);
  const cfg = { ...DEFAULTS, ...opts };
  const pictures = new PicturePublisher(pub.stream.name, pub.publish);
  let stop: () => Promise<void> = async () => {};
  let failed!: (e: unknown) => void;
  const fatal = new Promise<void>((_, reject) => (failed = reject));
  let closed!: () => void;
  const whenClosed = new Promise<void>((r) => (closed = r));
  const opened = (async () => {
    if (u.wire === 'countdown') {
      if (!u.bind) throw createError('CAMWIRE_ERR_BAD_URL', `"${url}": to receive wire=countdown, bind with udp://@${u.host}:${u.port} (udp://@:${u.port} for every interface)`);
      const r = new CountdownReceiver({ host: u.host, port: u.port, ttl: cfg.udpTtl, iface: opts.iface, loopback: opts.loopback ?? true, maxFrameBytes: cfg.maxFrameBytes, recvBufferBytes: cfg.udpRecvBufferBytes, allow: u.allow }, (p) => pictures.push(p));
      stop = () => r.close();
      await r.start();
    } else if (u.bind) {
      const l = new SeedTcpListener({ ...cfg, host: u.host, port: u.port, wire: u.wire as TcpWire, allow: u.allow }, { kind: 'accept', picture: (p) => pictures.push(p) });
      await l.start();
      stop = () => l.close();
    } else {
      const c = new SeedTcpConnector({ ...cfg, host: u.host, port: u.port, wire: u.wire as TcpWire, reconnect: opts.reconnect ?? true }, { kind: 'pull', picture: (p) => pictures.push(p) });
      c.done.catch(failed);
      stop = () => c.close();
    }
  })();
  opened.catch(failed);
  let closing: Promise<void> | undefined;
  return {
    ready: opened,
    done: Promise.race([fatal, whenClosed]),
    close: () =>
      (closing ??= (async () => {
        await opened.catch(() => {});
        await stop();
        pictures.close();
        pub.detach();
        closed();
      })()),
  };
}

/** publishToSeed returns a Publisher whose frames go out in the URL's wire format (see the file comment). */
export async function publishToSeed(url: string, opts: SeedOptions): Promise<RemotePublisher> {
  const u = parseSeedUrl(url);
  const cfg = { ...DEFAULTS, ...opts };
  const hub = new Hub();
  const name = 'default';
  const pub = hub.publish(name, 'local source');
  let link: PublisherLink;
  if (u.wire === 'countdown') {
    if (u.bind) throw createError('CAMWIRE_ERR_BAD_URL', `"${url}": "@" means receive here; send to a receiver or group, e.g. udp://224.3.29.71:${u.port}?wire=countdown`);
    const sliceBytes = opts.countdownSliceBytes ?? COUNTDOWN_SLICE_BYTES;
    const sender = new CountdownSender({ host: u.host, port: u.port, ttl: cfg.udpTtl, iface: opts.iface, loopback: opts.loopback ?? true, sliceBytes, pacePercent: cfg.udpPacePercent });
    await startOrClose(hub, sender);
    const done = pumpNewest(hub.read(name, { label: `countdown to ${u.text}` }), sender).then(() => sender.close());
    link = { close: () => sender.close(), done, port: () => u.port };
  } else {
    const encoder = new FrameEncoder(u.wire as TcpWire, opts.size);
    if (u.bind) {
      const l = new SeedTcpListener({ ...cfg, host: u.host, port: u.port, wire: u.wire as TcpWire, allow: u.allow }, { kind: 'serve', encoder, read: (label) => hub.read(name, { label }) });
      await l.start();
      link = { close: () => l.close(), port: () => l.port };
    } else {
      const c = new SeedTcpConnector({ ...cfg, host: u.host, port: u.port, wire: u.wire as TcpWire, reconnect: opts.reconnect ?? true }, { kind: 'push', encoder, read: () => hub.read(name, { label: `${u.wire} to ${u.text}` }) });
      link = { close: () => c.close(), done: c.done, port: () => u.port };
    }
  }
  // The old formats have no end-of-stream message: let the last frame go out, then close.
  return remotePublisher(hub, pub, { ...link, closeAfterEnd: true });
}

/** seedSource is a Source reading a seed URL, for `serve --stream NAME=URL` and `send URL DEST`. */
export function seedSource(url: string, opts: SeedOptions): Source {
  parseSeedUrl(url); // a bad URL fails at startup, not in the background
  let link: SeedLink | undefined;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  return {
    done,
    async start(pub: Publisher) {
      link = pullSeedInto(url, pub, { ...opts, reconnect: true });
      await link.ready;
      link.done.then(finished, finished);
    },
    async close() {
      await link?.close();
      finished();
    },
  };
}
