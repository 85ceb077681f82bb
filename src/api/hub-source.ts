/**
 * hub-source: `serve --stream NAME=tcp://HOST:PORT/STREAM` — a stream pulled from another
 * camwire hub, so hubs chain (an edge hub serves a site's viewers from one copy of the origin's
 * stream). It lives in api/ rather than sources/ because it is the TCP transport's client
 * wrapped as a Source, and sources never import transports.
 *
 * Frames keep their capture time across every hop (the wire carries it), so latency at the end
 * of a chain is still capture → here. The stream learns from each WELCOME which hubs it came
 * through; a hub asked to pull a stream that already passed through it refuses with one line
 * (CAMWIRE_ERR_LOOP) instead of feeding the stream back to itself. Any other failure is
 * retried with backoff, like every other `--stream` source.
 */
import { parseStreamUrl } from '../config/url.js';
import type { Publisher } from '../hub/stream.js';
import type { Source } from '../sources/source.js';
import { TcpClient } from '../transports/tcp/client.js';
import { createLogger } from '../util/logger.js';
import { clientOptions, VIEW_HINT, type RemoteOptions } from './remote.js';

const log = createLogger('source');

/** isHubUrl tells whether a SOURCE names another hub's stream (tcp:// without a wire= format). */
export function isHubUrl(spec: string): boolean {
  return /^tcp:\/\//i.test(spec) && !/[?&]wire=/i.test(spec) && !/[?&]listen\b/i.test(spec);
}

/** hubSource is a Source pulling `url` from another hub; see the file comment. */
export function hubSource(url: string, opts: RemoteOptions): Source {
  const parsed = parseStreamUrl(url); // a bad URL fails at startup, not in the background
  let client: TcpClient | undefined;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  return {
    done,
    async start(pub: Publisher) {
      client = TcpClient.pullWith(parsed, () => pub, clientOptions({ ...opts, reconnect: true }, VIEW_HINT));
      await client.start();
      client.done.then(finished, (e: Error) => {
        log.error(e.message);
        finished();
      });
    },
    async close() {
      await client?.close();
      finished();
    },
  };
}
