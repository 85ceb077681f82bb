/**
 * http-listener: the HTTP server and the viewer WebSocket of a hub, started and closed together
 * (the HTTP server authorises `/ws` upgrades and hands them to the ws transport).
 */
import type { Hub } from '../hub/hub.js';
import type { Config } from '../config/defaults.js';
import { HttpServer, type HttpServerOptions } from '../transports/http/server.js';
import type { Connections } from '../transports/http/metrics.js';
import { WsServer } from '../transports/ws/server.js';
import { Hls } from '../sinks/hls/hls.js';
import type { EventLog } from '../hub/event-log.js';

/** HttpListenerOptions: config plus where to listen and what else to report in /metrics. */
export type HttpListenerOptions = Pick<Config, 'token' | 'writeStallMs' | 'keepaliveMs' | 'timeoutMs'> & Omit<HttpServerOptions, 'token' | 'writeStallMs' | 'upgrade' | 'connections' | 'port' | 'host'> & {
  port: number;
  host: string;
  /** tcpPort is shown to the page in its "publish one with" hint. */
  tcpPort?: number;
  webRoot?: string;
  connections?: () => Connections;
  /** events: served at /api/events and announced live on the WebSocket. */
  events?: EventLog;
};

/** HttpListener is a running HTTP + WebSocket pair. */
export interface HttpListener {
  readonly http: HttpServer;
  readonly ws: WsServer;
  /** close disconnects pages and HTTP clients and stops listening. Idempotent. */
  close(): Promise<void>;
}

/** startHttpListener serves `hub` over HTTP and the viewer WebSocket on one port. */
export async function startHttpListener(hub: Hub, opts: HttpListenerOptions): Promise<HttpListener> {
  const ws = new WsServer(hub, opts);
  const hls = new Hls(hub);
  const http = new HttpServer(hub, {
    ...opts,
    upgrade: (req, socket, head, view) => ws.handleUpgrade(req, socket, head, view),
    hls: (stream, file, query) => hls.serve(stream, file, query),
    connections: () => ({ ws: ws.connections, ...opts.connections?.() }),
  });
  try {
    await http.start();
  } catch (e) {
    await hls.close();
    await ws.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    http,
    ws,
    close: () => (closing ??= (async () => {
      await hls.close();
      await ws.close();
      await http.close();
    })()),
  };
}
