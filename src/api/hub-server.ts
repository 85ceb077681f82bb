/**
 * hub-server: a Hub with its network listeners, started and closed as one component
 * (what `camwire serve` runs, and what embedders call).
 */
import { Hub } from '../hub/hub.js';
import { DEFAULTS, type Config } from '../config/defaults.js';
import { TcpServer } from '../transports/tcp/server.js';
import type { HttpServer } from '../transports/http/server.js';
import { udpOptions, type UdpChoices } from '../transports/udp/options.js';
import { UdpServer } from '../transports/udp/server.js';
import { startHttpListener, type HttpListener } from './http-listener.js';
import { startEvents, type HubEvents } from './events.js';
import { authenticatorFromConfig, type Authenticator } from '../auth/index.js';
import { createError } from '../util/errors.js';
import { PeerLimits, PreAuthBudget } from '../util/peer-limits.js';

/**
 * HubServerOptions: any Config keys; `tcpPort: null` / `httpPort: null` disable that listener;
 * `udpPort` (off unless given) opens the UDP listener, tuned by the udp* keys and `nack`;
 * `webRoot` points the viewer at other built files (default dist/web).
 */
export type HubServerOptions = Partial<Omit<Config, 'tcpPort' | 'httpPort' | 'udpPort'>> & {
  tcpPort?: number | null;
  httpPort?: number | null;
  udpPort?: number | null;
  webRoot?: string;
  /** ffmpegPath: the ffmpeg that decodes H.264 for motion detection (default: found on PATH). */
  ffmpegPath?: string;
  /** auth: the Authenticator every listener asks (default: built from the authFile, token, tokenFile, authHttpUrl and allowPublish keys). */
  auth?: Authenticator;
} & Pick<UdpChoices, 'nack'>;

/** HubServer is a running hub: `hub` to publish/read in-process, `tcp` / `http` / `udp` for their ports. */
export interface HubServer {
  readonly hub: Hub;
  readonly tcp: TcpServer | undefined;
  /** http serves the browser viewer, MJPEG, snapshots, /api and /metrics (and /ws). */
  readonly http: HttpServer | undefined;
  readonly udp: UdpServer | undefined;
  /** events: the hub's EventLog and motion detection (api/events.ts). */
  readonly events: HubEvents;
  /** auth is the hub's Authenticator, shared by every listener. */
  readonly auth: Authenticator;
  /** preAuthBudget is the hub-wide byte budget for unauthenticated input, shared by every listener. */
  readonly preAuthBudget: PreAuthBudget;
  /** close stops listeners, disconnects peers and ends readers. Idempotent. */
  close(): Promise<void>;
}

/** startHub creates a Hub and starts its listeners (TCP 8089 and HTTP 8080 unless told otherwise). */
export async function startHub(opts: HubServerOptions = {}): Promise<HubServer> {
  const cfg = { ...DEFAULTS, ...opts };
  // TCP and HTTP/WebSocket apply --auth and --auth-http-url; the UDP listener (off unless asked
  // for) does not yet, so the two together would look like protection and be none on UDP: refuse
  // that combination out loud. (--allow-publish only widens who may publish.)
  const udpPort = opts.udpPort ?? null; // the UDP listener is off unless a port is given
  if ((cfg.authFile || cfg.authHttpUrl) && udpPort !== null) {
    throw createError('CAMWIRE_ERR_CONFIG', '--auth and --auth-http-url are applied by TCP and HTTP/WebSocket, not yet by the UDP listener: leave out --udp, or use --token-file FILE (or CAMWIRE_TOKEN) with --udp');
  }
  // ONE Authenticator and ONE pre-auth byte budget for the whole hub (src/auth/index.ts says
  // how listeners use them): a peer's rights and the memory strangers may hold must not depend
  // on which port they knocked on. Connection slots stay per listener (maxConnections is "per
  // listener", docs/config.md), each admitting into the shared budget.
  const auth = opts.auth ?? (await authenticatorFromConfig(cfg));
  const preAuthBudget = new PreAuthBudget(cfg.preAuthBudgetBytes);
  const hub = new Hub();
  let tcp: TcpServer | undefined;
  let web: HttpListener | undefined;
  let udp: UdpServer | undefined;
  const events = startEvents(hub, cfg);
  const close = async () => {
    await events.close();
    await web?.close();
    await udp?.close();
    await tcp?.close();
    await hub.close();
  };
  try {
    if (opts.tcpPort !== null) {
      tcp = new TcpServer(hub, { ...cfg, port: cfg.tcpPort ?? DEFAULTS.tcpPort, auth, preAuthBudget });
      await tcp.start();
    }
    if (udpPort !== null) {
      // UDP admits a peer only once its HELLO is accepted, so it keeps no reserve (as UdpServer's own default).
      const limits = new PeerLimits({ ...cfg, reservedConnections: 0 }, preAuthBudget);
      udp = new UdpServer(hub, { ...udpOptions(cfg, { nack: opts.nack }), port: udpPort, host: cfg.host, auth, limits });
      await udp.start();
    }
    if (opts.httpPort !== null) {
      web = await startHttpListener(hub, {
        ...cfg,
        port: cfg.httpPort ?? DEFAULTS.httpPort,
        auth,
        preAuthBudget,
        tcpPort: tcp?.port,
        connections: () => ({ tcp: tcp?.connections ?? 0 }),
        events: events.log,
      });
    }
  } catch (e) {
    // A listener failed (port in use): release what is already open before reporting it.
    await close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return { hub, tcp, http: web?.http, udp, events, auth, preAuthBudget, close: () => (closing ??= close()) };
}
