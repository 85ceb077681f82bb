/**
 * hub-server: a Hub with its network listeners, started and closed as one component
 * (what `camwire serve` runs, and what embedders call).
 */
import { Hub } from '../hub/hub.js';
import { DEFAULTS, type Config } from '../config/defaults.js';
import { TcpServer } from '../transports/tcp/server.js';
import { HttpServer } from '../transports/http/server.js';
import { WsServer } from '../transports/ws/server.js';

/**
 * HubServerOptions: any Config keys; `tcpPort: null` / `httpPort: null` disable that listener;
 * `webRoot` points the viewer at other built files (default dist/web).
 */
export type HubServerOptions = Partial<Omit<Config, 'tcpPort' | 'httpPort'>> & { tcpPort?: number | null; httpPort?: number | null; webRoot?: string };

/** HubServer is a running hub: `hub` to publish/read in-process, `tcp` / `http` for their ports. */
export interface HubServer {
  readonly hub: Hub;
  readonly tcp: TcpServer | undefined;
  /** http serves the browser viewer, MJPEG, snapshots, /api and /metrics (and /ws). */
  readonly http: HttpServer | undefined;
  /** close stops listeners, disconnects peers and ends readers. Idempotent. */
  close(): Promise<void>;
}

/** startHub creates a Hub and starts its listeners (TCP on 8089, HTTP on 8080 unless told otherwise). */
export async function startHub(opts: HubServerOptions = {}): Promise<HubServer> {
  const cfg = { ...DEFAULTS, ...opts };
  const hub = new Hub();
  let tcp: TcpServer | undefined;
  let http: HttpServer | undefined;
  let ws: WsServer | undefined;
  try {
    if (opts.tcpPort !== null) {
      tcp = new TcpServer(hub, { ...cfg, port: cfg.tcpPort ?? DEFAULTS.tcpPort });
      await tcp.start();
    }
    if (opts.httpPort !== null) {
      const wsServer = (ws = new WsServer(hub, { ...cfg, tcpPort: tcp?.port }));
      http = new HttpServer(hub, {
        ...cfg,
        port: cfg.httpPort ?? DEFAULTS.httpPort,
        upgrade: (req, socket, head) => wsServer.handleUpgrade(req, socket, head),
        connections: () => ({ ws: wsServer.connections, tcp: tcp?.connections ?? 0 }),
      });
      await http.start();
    }
  } catch (e) {
    // One listener failed (port in use): release the ones already open before reporting it.
    await Promise.all([tcp?.close(), ws?.close(), hub.close()]);
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    hub,
    tcp,
    http,
    close: () => (closing ??= (async () => {
      await ws?.close();
      await http?.close();
      await tcp?.close();
      await hub.close();
    })()),
  };
}
