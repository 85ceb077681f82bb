/**
 * hub-server: a Hub with its network listeners, started and closed as one component
 * (what `camwire serve` runs, and what embedders call).
 */
import { Hub } from '../hub/hub.js';
import { DEFAULTS, type Config } from '../config/defaults.js';
import { TcpServer } from '../transports/tcp/server.js';
import { udpOptions, type UdpChoices } from '../transports/udp/options.js';
import { UdpServer } from '../transports/udp/server.js';

/**
 * HubServerOptions: any Config keys; `tcpPort: null` disables the TCP listener; `udpPort` (off
 * unless given) opens the UDP listener, tuned by the udp* keys and `nack`.
 */
export type HubServerOptions = Partial<Omit<Config, 'tcpPort'>> & { tcpPort?: number | null; udpPort?: number | null } & Pick<UdpChoices, 'nack'>;

/** HubServer is a running hub: `hub` to publish/read in-process, `tcp` and `udp` for its ports. */
export interface HubServer {
  readonly hub: Hub;
  readonly tcp: TcpServer | undefined;
  readonly udp: UdpServer | undefined;
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
  let udp: UdpServer | undefined;
  if (opts.udpPort !== undefined && opts.udpPort !== null) {
    udp = new UdpServer(hub, { ...udpOptions(cfg, { nack: opts.nack }), port: opts.udpPort, host: cfg.host });
    try {
      await udp.start();
    } catch (e) {
      await tcp?.close();
      throw e;
    }
  }
  let closing: Promise<void> | undefined;
  return {
    hub,
    tcp,
    udp,
    close: () => (closing ??= (async () => {
      await udp?.close();
      await tcp?.close();
      await hub.close();
    })()),
  };
}
