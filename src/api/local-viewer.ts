/**
 * local-viewer: one remote stream shown in a browser on this machine — what `camwire view URL`
 * does without --output. The stream is pulled into a private hub, served on 127.0.0.1 by the
 * usual HTTP + WebSocket listener, behind a random token that only the printed page URL carries.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_STREAM, Hub } from '../hub/hub.js';
import { DEFAULTS } from '../config/defaults.js';
import { isUdpUrl, parseUdpUrl } from '../config/udp-url.js';
import { parseStreamUrl } from '../config/url.js';
import { startHttpListener } from './http-listener.js';
import { pullInto, type RemoteOptions, type RemoteReader } from './remote.js';

/** LocalViewerOptions: remote options plus the local HTTP port (default 0: any free port). */
export type LocalViewerOptions = RemoteOptions & { httpPort?: number; webRoot?: string };

/** LocalViewer is a running one-stream page; open `pageUrl` in a browser. */
export interface LocalViewer {
  readonly hub: Hub;
  readonly stream: string;
  readonly pageUrl: string;
  readonly client: RemoteReader['client'];
  /** done settles like the client's: ended stream (resolves) or fatal error (rejects). */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/** startLocalViewer pulls `url` and serves its one-stream viewer page on 127.0.0.1. */
export async function startLocalViewer(url: string, opts: LocalViewerOptions = {}): Promise<LocalViewer> {
  const u = isUdpUrl(url) ? parseUdpUrl(url) : parseStreamUrl(url);
  const hub = new Hub();
  const stream = u.stream || DEFAULT_STREAM;
  const token = randomBytes(18).toString('base64url');
  const cfg = { ...DEFAULTS, ...opts };
  let web;
  try {
    web = await startHttpListener(hub, { ...cfg, token, host: '127.0.0.1', port: opts.httpPort ?? 0 });
  } catch (e) {
    await hub.close();
    throw e;
  }
  const client = pullInto(url, hub, stream, opts);
  const pageUrl = `http://127.0.0.1:${web.http.port}/?stream=${encodeURIComponent(stream)}&token=${token}`;
  let closing: Promise<void> | undefined;
  return {
    hub,
    stream,
    pageUrl,
    client,
    done: client.done,
    close: () => (closing ??= (async () => {
      await client.close();
      await web.close();
      await hub.close();
    })()),
  };
}
