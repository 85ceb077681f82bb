/**
 * remote-publisher: the one RemotePublisher that publishTo returns for every URL kind (tcp://,
 * udp://, `wire=`): a private hub's publisher whose frames a link (client, listener, sender)
 * carries out. close() is idempotent and closes the link first, then the hub.
 */
import type { Hub } from '../hub/hub.js';
import type { Publisher } from '../hub/stream.js';
import type { RemotePublisher } from './remote.js';

/** END_LINGER_MS: after end(), how long a link that cannot say "end" keeps sending the last frame before it closes. */
export const END_LINGER_MS = 200;

/** PublisherLink is what carries a RemotePublisher's frames. */
export interface PublisherLink {
  /** close stops the link (disconnects, stops listening). */
  close(): Promise<void>;
  /** done settles when the link finished or failed fatally; without it, when close() has run. */
  done?: Promise<void>;
  /** port is the listening port (`?listen`), else the URL's. */
  port(): number;
  /**
   * closeAfterEnd: end() closes everything END_LINGER_MS later — for links with nobody to wait
   * for (a listener: its viewers get END as their readers end) or no end-of-stream message (the
   * old programs' formats).
   */
  closeAfterEnd?: boolean;
}

/** startOrClose awaits `link.start()`; if it fails, the link and the private hub are closed before the error goes on. */
export function startOrClose(hub: Hub, link: { start(): Promise<void>; close(): Promise<void> }): Promise<void> {
  return link.start().catch(async (e: unknown) => {
    await Promise.all([link.close(), hub.close()]);
    throw e;
  });
}

/** remotePublisher wraps `pub` (a stream of `hub`, which it owns) and the link sending it. */
export function remotePublisher(hub: Hub, pub: Publisher, link: PublisherLink): RemotePublisher {
  let closed!: () => void;
  const whenClosed = new Promise<void>((r) => (closed = r));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await link.close();
      await hub.close();
      closed();
    })());
  const done = link.done ? Promise.race([link.done, whenClosed]) : whenClosed;
  // A caller that stops before awaiting `done` (its source failed first) must not turn a failed
  // link into an unhandled rejection; whoever awaits `done` still sees the failure.
  done.catch(() => {});
  return {
    stream: pub.stream,
    publish: pub.publish,
    end: () => {
      pub.end();
      if (link.closeAfterEnd) setTimeout(() => void close(), END_LINGER_MS).unref();
    },
    detach: pub.detach,
    close,
    done,
    get port() {
      return link.port();
    },
  };
}
