/**
 * remote-udp: readFrom / publishTo for udp:// URLs (see config/udp-url for the forms) — straight
 * to a receiver or group, or through a hub started with `camwire serve --udp`.
 */
import { Hub } from '../hub/hub.js';
import { parseUdpUrl } from '../config/udp-url.js';
import { UdpHubClient } from '../transports/udp/client.js';
import { UdpDirectReceiver } from '../transports/udp/direct-receiver.js';
import type { FrameDelivery, RepairSummary } from '../transports/udp/frame-receiver.js';
import { UdpDirectSender } from '../transports/udp/direct-sender.js';
import { udpOptions } from '../transports/udp/options.js';
import { createError, type CamwireError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import type { RemoteOptions, RemotePublisher } from './remote.js';
import { remotePublisher, startOrClose } from './remote-publisher.js';

const log = createLogger('udp');

/** UdpLink is the network side of a UDP RemoteReader; `done` settles as TcpClient's does. */
export interface UdpLink {
  readonly done: Promise<void>;
  close(): Promise<void>;
  /** repairs: the receiver's FEC / NACK / loss counters (view --json), once a stream is heard. */
  repairs(): RepairSummary | undefined;
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
  const sink: FrameDelivery = { frame: (f) => pub.publish({ ...f, stream: name }), end: () => pub.end() };
  let close = async () => {};
  let repairs = (): RepairSummary | undefined => undefined;
  let settle!: (e?: CamwireError) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (e) => (e ? reject(e) : resolve())));
  const opened = (async () => {
    if (u.bind) {
      const r = new UdpDirectReceiver(u.host, u.port, uo, { frame: sink.frame, end: () => (sink.end(), settle()) });
      close = () => r.close();
      repairs = () => r.repairs();
      await r.start();
      log.info(`receiving on ${u.text}${r.multicast ? ' (multicast group joined)' : ''}`);
    } else {
      const c = new UdpHubClient(u, uo, { role: 'view', sink });
      close = () => c.close();
      repairs = () => c.repairs();
      await c.start();
      c.done.then(() => settle(), (e) => settle(e));
    }
  })();
  opened.catch((e) => settle(e));
  let closing: Promise<void> | undefined;
  return {
    done,
    repairs: () => repairs(),
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
  const link = u.stream ? new UdpHubClient(u, uo, { role: 'publish', reader }) : new UdpDirectSender(u.host, u.port, reader, uo);
  await startOrClose(hub, link);
  return remotePublisher(hub, pub, { close: () => link.close(), done: link.done, port: () => u.port });
}
