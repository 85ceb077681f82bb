/**
 * hub-server: a Hub with its network listeners, started and closed as one component
 * (what `camwire serve` runs, and what embedders call).
 */
import { Hub } from '../hub/hub.js';
import { DEFAULTS, type Config } from '../config/defaults.js';
import { TcpServer } from '../transports/tcp/server.js';

/** HubServerOptions: any Config keys; `tcpPort: null` disables the TCP listener. */
export type HubServerOptions = Partial<Omit<Config, 'tcpPort'>> & { tcpPort?: number | null };

/** HubServer is a running hub: `hub` to publish/read in-process, `tcp` for its port. */
export interface HubServer {
  readonly hub: Hub;
  readonly tcp: TcpServer | undefined;
  /** close stops listeners, disconnects peers and ends readers. Idempotent. */
  close(): Promise<void>;
}

/** startHub creates a Hub and starts its listeners (TCP on 8089 unless told otherwise). */
export async function startHub(opts: HubServerOptions = {}): Promise<HubServer> {
  const cfg = { ...DEFAULTS, ...opts };
  const hub = new Hub();
  let tcp: TcpServer | undefined;
  if (opts.tcpPort !== null) {
    tcp = new TcpServer(hub, { ...cfg, port: cfg.tcpPort ?? DEFAULTS.tcpPort });
    await tcp.start();
  }
  let closing: Promise<void> | undefined;
  return {
    hub,
    tcp,
    close: () => (closing ??= (async () => {
      await tcp?.close();
      await hub.close();
    })()),
  };
}
