/**
 * remote-udp: readFrom / publishTo for udp:// URLs (see config/udp-url for the forms) — straight
 * to a receiver or group, or through a hub started with `camwire serve --udp`.
 */
import { Hub } from '../hub/hub.js';
import type { Reader } from '../hub/reader.js';
import { parseUdpUrl, type UdpUrl } from '../config/udp-url.js';
import { UdpHubClient } from '../transports/udp/client.js';
import { UdpDirectReceiver } from '../transports/udp/direct-receiver.js';
import type { FrameSink } from '../transports/udp/frame-receiver.js';
import { UdpDirectSender } from '../transports/udp/direct-sender.js';
import { udpOptions, type UdpOptions } from '../transports/udp/options.js';
import { createError, type CamwireError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import type { RemoteOptions, RemotePublisher } from './remote.js';

const log = createLogger('udp');

/** UdpLink is the network side of a UDP RemoteReader; `done` settles as TcpClient's does. */
export interface UdpLink {
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/**
 * openUdpReader starts receiving `url` into stream `name` of `hub` (bind/join for `udp://@…`, a
 * hub subscription otherwise). It returns at once; opening errors reject `done`.
 */
export function openUdpReader(url: string, hub: Hub, name: string, opts: RemoteOptions): UdpLink {
  const u = parseUdpUrl(url);
  if (u.multicast && !u.bind) throw createError('CAMWIRE_ERR_BAD_URL', `"${url}" is a multicast group: join it with udp://@${u.host}:${u.port}`);
  const uo = udpOptions(opts, opts);
  const pub = hub.publish(name, u.text);
  const sink: FrameSink = { frame: (f) => pub.publish({ ...f, stream: name }), end: () => pub.end() };
  let close = async () => {};
  let settle!: (e?: CamwireError) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (e) => (e ? reject(e) : resolve())));
  const opened = (async () => {
    if (u.bind) {
      const r = await UdpDirectReceiver.open(u.host, u.port, uo, { frame: sink.frame, end: () => (sink.end(), settle()) });
      log.info(`receiving on ${u.text}${r.multicast ? ' (multicast group joined)' : ''}`);
      close = () => r.close();
    } else {
      const c = await UdpHubClient.pull(u, sink, uo);
      c.done.then(() => settle(), (e) => settle(e));
      close = () => c.close();
    }
  })();
  opened.catch((e) => settle(e));
  let closing: Promise<void> | undefined;
  return {
    done,
    close: () =>
      (closing ??= (async () => {
        await opened.catch(() => {});
        await close();
        pub.detach();
        settle();
      })()),
  };
}

/** publishToUdp returns a Publisher whose frames go to a UDP receiver, group or hub (see the file comment). */
export async function publishToUdp(url: string, opts: RemoteOptions): Promise<RemotePublisher> {
  const u = parseUdpUrl(url);
  if (u.bind) throw createError('CAMWIRE_ERR_BAD_URL', `"${url}": "@" means receive here; send to an address, e.g. udp://127.0.0.1:${u.port}`);
  const uo = udpOptions(opts, opts);
  const hub = new Hub();
  const name = u.stream || 'default';
  const pub = hub.publish(name, 'local source');
  const reader = hub.read(name, { label: `send to ${u.text}` });
  const link = u.stream ? await UdpHubClient.push(u, reader, uo) : await directLink(u, reader, uo);
  const close = async () => {
    await link.close();
    await hub.close();
  };
  return {
    stream: pub.stream,
    publish: pub.publish,
    end: pub.end,
    detach: pub.detach,
    close,
    done: link.done,
    port: u.port,
  };
}

/** directLink sends what `reader` yields straight to the URL's receiver or group. */
async function directLink(u: UdpUrl, reader: Reader, uo: UdpOptions): Promise<UdpLink> {
  const sender = await UdpDirectSender.open(u.host, u.port, uo);
  return { done: sender.run(reader), close: () => sender.close() };
}
