/**
 * remote: publish to and read from stream URLs without a hub of your own — the library side of
 * `camwire send` and `camwire view`.
 */
import type { Frame } from '../frame/frame.js';
import { Hub } from '../hub/hub.js';
import type { Reader } from '../hub/reader.js';
import type { Publisher } from '../hub/stream.js';
import { DEFAULTS, type Config } from '../config/defaults.js';
import { isUdpUrl } from '../config/udp-url.js';
import { parseStreamUrl } from '../config/url.js';
import { TcpClient, type TcpClientOptions } from '../transports/tcp/client.js';
import { TcpServer } from '../transports/tcp/server.js';
import type { UdpChoices } from '../transports/udp/options.js';
import { openUdpReader, publishToUdp, type UdpLink } from './remote-udp.js';
import { isSeedUrl, publishToSeed, pullSeedInto, type SeedLink, type SeedOptions } from './remote-seed.js';
import { remotePublisher } from './remote-publisher.js';

/** RemoteOptions: config overrides plus the reconnect policy (and, for udp:// URLs, NACK and multicast choices). */
export type RemoteOptions = Partial<Config> & { reconnect?: boolean } & UdpChoices;

const LOCAL = 'local';

/** VIEW_HINT follows "connection refused" when viewing: what should be running there. */
export const VIEW_HINT = 'is "camwire serve" or a listening "camwire send" running there?';

/** clientOptions builds TcpClient options from config overrides (reconnecting by default). */
export function clientOptions(opts: RemoteOptions, hint: string): TcpClientOptions {
  return { ...DEFAULTS, ...opts, reconnect: opts.reconnect ?? true, hint };
}

/** RemoteReader is an async iterable of frames from a URL; close() disconnects. */
export interface RemoteReader extends AsyncIterable<Frame> {
  readonly reader: Reader;
  readonly client: TcpClient | UdpLink | SeedLink;
  close(): Promise<void>;
}

/**
 * pullInto receives the stream at `url` (tcp:// or udp://) into stream `name` of `hub`; the
 * returned link reconnects by itself and settles `done` as TcpClient does.
 */
export function pullInto(url: string, hub: Hub, name: string, opts: RemoteOptions): TcpClient | UdpLink | SeedLink {
  if (isSeedUrl(url)) return pullSeedInto(url, hub.publish(name, url), opts);
  if (isUdpUrl(url)) return openUdpReader(url, hub, name, opts);
  const client = TcpClient.pull(parseStreamUrl(url), hub, name, clientOptions(opts, VIEW_HINT));
  // start() resolves at once and never rejects (failures settle `done`): nothing to wait for here.
  void client.start();
  return client;
}

/**
 * readFrom connects to `url` (tcp://HOST:PORT/NAME, or udp:// — see config/udp-url) and yields
 * its frames, newest first when the consumer is slow; it reconnects by itself, and iteration
 * ends when the publisher ends the stream.
 */
export function readFrom(url: string, opts: RemoteOptions = {}): RemoteReader {
  const hub = new Hub();
  const reader = hub.read(LOCAL, { label: 'reader', quietDrops: true });
  const client = pullInto(url, hub, LOCAL, opts);
  // A fatal error (bad token, bad name) ends iteration instead of leaving it waiting forever.
  client.done.catch(() => reader.end());
  const close = async () => {
    await client.close();
    await hub.close();
  };
  return {
    reader,
    client,
    close,
    async *[Symbol.asyncIterator]() {
      try {
        yield* reader;
        await client.done;
      } finally {
        await close();
      }
    },
  };
}

/** RemotePublisher publishes frames to a URL; end() finishes the stream cleanly. */
export interface RemotePublisher extends Publisher {
  /** close disconnects (without END) and stops listening. */
  close(): Promise<void>;
  /** done settles when the connection finished (after end()) or failed fatally. */
  readonly done: Promise<void>;
  /** port is the listening port for `?listen` URLs. */
  readonly port: number;
}

/**
 * publishTo returns a Publisher whose frames go to `url`: pushed to a hub (tcp://HOST:PORT/NAME)
 * or served to any number of viewers (tcp://HOST:PORT?listen), or sent over UDP (udp://…, see
 * config/udp-url). Slow links drop frames, never queue.
 */
export async function publishTo(url: string, opts: RemoteOptions & SeedOptions = {}): Promise<RemotePublisher> {
  if (isSeedUrl(url)) return publishToSeed(url, opts);
  if (isUdpUrl(url)) return publishToUdp(url, opts);
  const u = parseStreamUrl(url);
  const hub = new Hub();
  const name = u.stream || 'default';
  const pub = hub.publish(name, 'local source');
  const cfg = { ...DEFAULTS, ...opts };
  let server: TcpServer | undefined;
  let client: TcpClient | undefined;
  if (u.listen) {
    // A listening camera serves its own stream: nobody may publish into it (issue 12, squatting).
    server = new TcpServer(hub, { ...cfg, host: u.host, port: u.port, publishers: false });
    await server.start();
  } else {
    client = TcpClient.push(u, hub, name, clientOptions(opts, 'is "camwire serve" running there?'));
    await client.start();
  }
  // A listening sender has nobody to wait for: its viewers get END as their readers end.
  return remotePublisher(hub, pub, {
    close: async () => {
      await client?.close();
      await server?.close();
    },
    done: client?.done,
    port: () => server?.port ?? u.port,
    closeAfterEnd: !!server,
  });
}
