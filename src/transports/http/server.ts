/**
 * server: the HTTP side of a hub (node:http, no framework): the browser viewer, MJPEG, snapshots,
 * the JSON API, Prometheus metrics and health. WebSocket upgrades on /ws are checked here (path,
 * Host, Origin, credentials) and handed to whoever registered for them (the ws transport, wired
 * up in api/), with a way to ask what the peer may view.
 *
 * Every request asks the hub's one Authenticator (src/auth) for what its route needs (access.ts),
 * with what it presents (credentials.ts: Bearer, Basic, the login cookie, `?token=` where headers
 * cannot be sent); lists (`/api/streams`, `/api/events`, `/api/recordings`) show only the streams
 * the requester may view or play back.
 *
 * A bad request (unknown path, method, oversized or malformed headers, path tricks) gets its 4xx
 * and nothing else happens: no stream is created, no reader attached.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Hub } from '../../hub/hub.js';
import { DEFAULTS, type Config } from '../../config/defaults.js';
import { createError, isCamwireError, type CamwireError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { Listener } from '../../util/listen.js';
import { streamSummaries, type StreamExtra } from './streams-api.js';
import { createAuthenticator, type Authenticator, type Decision, type Presented } from '../../auth/index.js';
import { needOf, type Need } from './access.js';
import { InsecureAuthPolicy, requestCredential, type Presenting } from './credentials.js';
import { serveSession } from './login.js';
import { LoginSessions } from './sessions.js';
import { collectMetrics, METRICS_CONTENT_TYPE, renderFamilies, type Connections, type Family } from './metrics.js';
import { serveMjpeg } from './mjpeg.js';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { isSameOrigin } from './origin.js';
import { AllowedHosts } from './allowed-hosts.js';
import { Admission } from './admission.js';
import type { PreAuthBudget } from '../../util/peer-limits.js';
import { RateLimitedReport } from '../../util/logger.js';
import { loadTls } from './tls.js';
import { watchTlsFiles, type TlsWatch } from '../../util/tls-reload.js';
import { BASE_HEADERS, sendError, sendJson, statusOf } from './reply.js';
import { parseTarget, type Target } from './router.js';
import { serveSnapshot } from './snapshot.js';
import { serveRecordings } from './recordings.js';
import { serveEvents, serveEventSnapshot } from './events.js';
import type { EventLog } from '../../hub/event-log.js';
import { StaticFiles } from './static.js';

const log = createLogger('http');

/** MAX_HEADER_BYTES: real clients send < 2 KiB of headers; 8 KiB is plenty and bounds memory. */
export const MAX_HEADER_BYTES = 8 * 1024;
/** TIMEOUT_CHECK_MS: how often node enforces that timeout (its default, 30 s, lets a slow client linger 40 s). */
const TIMEOUT_CHECK_MS = 1000;

/** ViewAccess answers whether the peer of one upgraded socket may view `stream` (per subscription). */
export type ViewAccess = (stream: string) => Promise<Decision>;

/** HlsHandler answers one authorised HLS request with a body and its types, or throws a CamwireError. */
export type HlsHandler = (stream: string, file: string, query: URLSearchParams) => Promise<{ contentType: string; cacheControl: string; body: Buffer }>;

/** UpgradeHandler takes over an authorised WebSocket upgrade request; `view` decides each stream it asks for. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, view: ViewAccess) => void;

/** HttpServerOptions: where to listen, the credentials, and the hooks api/ wires in. */
export type HttpServerOptions = Pick<Config, 'token' | 'writeStallMs'> & Partial<Pick<Config, 'tlsCert' | 'tlsKey' | 'allowedHosts' | 'allowInsecureAuth' | 'preAuthTimeoutMs' | 'recordDir' | AdmissionKey>> & {
  /** auth: the hub's Authenticator (shared with the other listeners); default: one holding just `token`. */
  auth?: Authenticator;
  /** preAuthBudget: the hub-wide pre-auth byte budget, shared with the other listeners. */
  preAuthBudget?: PreAuthBudget;
  port: number;
  host: string;
  /** webRoot holds the built viewer (default dist/web). */
  webRoot?: string;
  /** upgrade handles `GET /ws` upgrades; without it /ws answers 404. */
  upgrade?: UpgradeHandler;
  /** hls answers `/streams/NAME/index.m3u8` and its files (sinks/hls, wired in by api/); without it they answer 404. */
  hls?: HlsHandler;
  /** connections reports other transports' open connections for /metrics. */
  connections?: () => Connections;
  /** events answers /api/events (motion events; api/events.ts). */
  events?: EventLog;
  /** headersTimeoutMs overrides preAuthTimeoutMs for the request headers (tests). */
  headersTimeoutMs?: number;
};

type AdmissionKey = 'maxConnections' | 'reservedConnections' | 'maxConnectionsPerAddress' | 'handshakesPerSecond' | 'handshakeBurst' | 'preAuthBudgetBytes' | 'preAuthPeerBytes';

/** HttpServer serves a Hub over HTTP; see the file comment. */
export class HttpServer extends Listener {
  private tlsWatch: TlsWatch | undefined;
  private readonly files: StaticFiles;
  private readonly hosts: AllowedHosts;
  /** admission: connection slots (slowloris protection, admission.ts). */
  readonly admission: Admission;
  private readonly refused = new RateLimitedReport((n) => log.warn(`refused ${n} connection(s) (connection limits, see docs/http.md#limits); last: ${this.lastRefusal}`));
  private lastRefusal = '';
  private auth: Authenticator | undefined;
  private insecure = new InsecureAuthPolicy(false, '');
  private sessions = new LoginSessions('camwire-session');
  /** responses counts responses by status code (for /metrics). */
  readonly responses = new Map<number, number>();
  /** extraMetrics: families other components add to /metrics (the recorder's, wired in by serve). */
  readonly extraMetrics: (() => Family[])[] = [];
  /** streamExtras: fields other components add to a stream in /api/streams (its pushes, wired in by serve). */
  readonly streamExtras: StreamExtra[] = [];

  constructor(
    private readonly hub: Hub,
    private readonly opts: HttpServerOptions,
  ) {
    super();
    this.files = new StaticFiles(opts.webRoot);
    this.hosts = new AllowedHosts(opts.allowedHosts);
    this.admission = new Admission({ ...DEFAULTS, ...definedOnly(opts), chargeBytes: MAX_HEADER_BYTES });
    if (!this.files.built) log.warn(`viewer files missing in ${this.files.root}: run "npm run build" (API, MJPEG and metrics still work)`);
  }

  /** start listens; rejects with CAMWIRE_ERR_LISTEN if the port cannot be opened. */
  async start(): Promise<void> {
    const tls = loadTls(this.opts);
    const preAuthMs = this.opts.preAuthTimeoutMs ?? DEFAULTS.preAuthTimeoutMs;
    // handshakeTimeout: a TLS handshake that does not finish in time is a slowloris too.
    const options = { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: TIMEOUT_CHECK_MS, handshakeTimeout: preAuthMs };
    const onRequest = (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res);
    // https.Server is an http.Server over TLS: the same events, so everything below is shared.
    const server = tls ? createHttpsServer({ ...options, ...tls }, onRequest) : createServer(options, onRequest);
    this.scheme = tls ? 'https' : 'http';
    this.auth = this.opts.auth ?? (await createAuthenticator({ token: this.opts.token || undefined }));
    this.insecure = new InsecureAuthPolicy(this.scheme === 'https', this.opts.allowInsecureAuth ?? '');
    server.headersTimeout = this.opts.headersTimeoutMs ?? preAuthMs;
    server.requestTimeout = server.headersTimeout * 2;
    server.on('connection', (s: Socket) => {
      const refused = this.admission.admit(s);
      if (refused) {
        this.lastRefusal = refused.message;
        this.refused.add();
        this.count(statusOf(refused.code));
        // Plain HTTP gets one line saying why; a TLS client could not read it.
        if (this.scheme === 'https') return void s.destroy();
        return rawReply(s, statusOf(refused.code), JSON.stringify({ error: { code: refused.code, message: refused.message } }));
      }
      this.holdSocket(s);
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.onClientError(err, socket));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    // No maxConnections for node itself: admission counts (and can evict) before a slot is refused.
    await this.listenOn(server, this.opts.port, this.opts.host, { url: `${this.scheme}://${this.opts.host}:${this.opts.port}`, inUseHint: 'pick another with --http' }, log);
    // Browsers scope cookies by host, not port: each listener's session cookie carries its port.
    this.sessions = new LoginSessions(`camwire-session-${this.port}`);
    // A renewed certificate is used for new connections; viewers already watching stay connected.
    if (tls) this.tlsWatch = watchTlsFiles(this.opts.tlsCert!, this.opts.tlsKey!, (pair) => (server as HttpsServer).setSecureContext(pair), log);
  }

  /** scheme is 'https' when started with a certificate, else 'http'. */
  scheme: 'http' | 'https' = 'http';

  /** close stops listening and drops every connection (MJPEG responses never end by themselves; WebSockets are the ws side's). */
  override async close(): Promise<void> {
    this.tlsWatch?.close();
    await super.close();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (!this.admission.holds(req.socket)) return void req.socket.destroy(); // refused or evicted: answered already
    res.on('finish', () => this.count(res.statusCode));
    this.authorise(req)
      .then((a) => {
        this.admission.authenticate(req.socket);
        return this.dispatch(a, req, res);
      })
      .catch((e) => this.failed(e, req, res));
  }

  /** failed answers an error raised after a handler went asynchronous (or drops a started reply). */
  private failed(e: unknown, req: IncomingMessage, res: ServerResponse): void {
    const err: CamwireError = isCamwireError(e) ? e : createError('CAMWIRE_ERR_BAD_REQUEST', String(e));
    if (statusOf(err.code) === 500) log.error(`${req.method} ${req.url?.slice(0, 200)}: ${err.message}`);
    if (!res.headersSent) sendError(res, err);
    else res.destroy();
  }

  /**
   * authorise checks the Host, routes the request, reads its credential and asks the
   * Authenticator for what the route needs. Throws the refusal as a typed error.
   */
  private async authorise(req: IncomingMessage): Promise<Authorised> {
    const host = req.headers.host;
    if (!this.hosts.allows(host)) {
      throw createError('CAMWIRE_ERR_FORBIDDEN_HOST', `this hub does not answer to the name "${String(host).slice(0, 100)}"; open it by its IP address, localhost or ${this.hosts.list()}, or add the name to allowedHosts (--allowed-hosts)`);
    }
    const t = parseTarget(req.method ?? '', req.url ?? '');
    const need = needOf(t.route, t.query, (id) => this.opts.events?.get(id)?.stream);
    // The page's own files and /healthz read no credential; a hub without auth has nothing to check one against.
    const reads = need !== undefined || t.route.kind === 'session';
    const who: Presenting = reads && this.authenticator().enabled ? requestCredential(req, t, this.sessions) : {};
    this.insecure.check(this.address(req), who.via);
    if (need && t.route.kind !== 'ws') await this.check(who.presented, need, req, 'http');
    return { ...t, presented: who.presented };
  }

  /** check asks the Authenticator whether `presented` may do `need`; throws its refusal. */
  private async check(presented: Presented | undefined, need: Need, req: IncomingMessage, transport: 'http' | 'ws'): Promise<void> {
    const d = await this.decide(presented, need, req, transport);
    if (!d.ok) throw createError(d.code, d.message);
  }

  private decide(presented: Presented | undefined, need: Need, req: IncomingMessage, transport: 'http' | 'ws'): Promise<Decision> {
    return this.authenticator().checkSecret(presented, { ...need, address: this.address(req), transport });
  }

  /**
   * viewer decides whether `presented` may open the viewer socket: a verified credential may
   * (what it may view is decided per stream), an anonymous peer if it may view some stream.
   */
  private async viewer(presented: Presented | undefined, req: IncomingMessage): Promise<Decision> {
    const auth = this.authenticator();
    const d = await this.decide(presented, { action: 'view' }, req, 'ws');
    if (d.ok) return d;
    // FORBIDDEN means the secret was right but "view" is not granted on every stream.
    if (presented !== undefined && d.code === 'CAMWIRE_ERR_FORBIDDEN') return { ok: true, user: presented.user };
    if (presented === undefined && this.hub.names().some((n) => auth.can(undefined, 'view', n))) return { ok: true, user: '' };
    return d;
  }

  /** visible keeps the names `presented` may `action` (view for live streams, playback for recordings). */
  private async visible(names: string[], presented: Presented | undefined, action: 'view' | 'playback', req: IncomingMessage): Promise<Set<string>> {
    const ok = await Promise.all(names.map(async (stream) => (await this.decide(presented, { action, stream }, req, 'http')).ok));
    return new Set(names.filter((_, i) => ok[i]));
  }

  private authenticator(): Authenticator {
    if (!this.auth) throw createError('CAMWIRE_ERR_OVERLOADED', 'the HTTP listener is not started');
    return this.auth;
  }

  private address(req: IncomingMessage): string {
    return req.socket.remoteAddress ?? '';
  }

  private async dispatch({ route, query, presented }: Authorised, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const label = `http ${req.socket.remoteAddress}:${req.socket.remotePort}`;
    switch (route.kind) {
      case 'static':
        return this.files.serve(route.file, req.headers['if-none-match'], res);
      case 'mjpeg':
        return serveMjpeg(this.hub, route.stream, res, { writeStallMs: this.opts.writeStallMs, label });
      case 'snapshot':
        return serveSnapshot(this.hub, route.stream, res);
      case 'streams': {
        const all = streamSummaries(this.hub, this.streamExtras).streams;
        const shown = await this.visible(all.map((st) => st.name), presented, 'view', req);
        return sendJson(res, 200, { streams: all.filter((st) => shown.has(st.name)) });
      }
      case 'session':
        return serveSession(req, res, presented, {
          sessions: this.sessions,
          authEnabled: this.authenticator().enabled,
          secure: this.scheme === 'https',
          viewer: (p) => this.viewer(p, req),
          checkTransport: () => this.insecure.check(this.address(req), 'login'),
        });
      case 'metrics': {
        const body = renderFamilies([...collectMetrics(this.hub, { http: this.connections, ...this.opts.connections?.() }, this.responses), ...this.extraMetrics.flatMap((f) => f())]);
        res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
        return void res.end(req.method === 'HEAD' ? undefined : body);
      }
      case 'healthz':
        return sendJson(res, 200, { status: 'ok', streams: this.hub.names().length, uptimeSeconds: Math.round(process.uptime()) });
      case 'events':
        return serveEvents(this.opts.events, query, res, (names) => this.visible(names, presented, 'view', req));
      case 'eventSnapshot':
        return serveEventSnapshot(this.opts.events, route.id, res);
      case 'ws':
        throw createError('CAMWIRE_ERR_BAD_REQUEST', '/ws is the viewer WebSocket: connect with a WebSocket client');
      case 'recordings':
        return serveRecordings(this.opts.recordDir ?? '', route.rec, query, req, res, (names) => this.visible(names, presented, 'playback', req));
      case 'hls': {
        if (!this.opts.hls) throw createError('CAMWIRE_ERR_NOT_FOUND', 'HLS is not served by this hub');
        const r = await this.opts.hls(route.stream, route.file, query);
        res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': r.contentType, 'Content-Length': r.body.length, 'Cache-Control': r.cacheControl });
        return void res.end(req.method === 'HEAD' ? undefined : r.body);
      }
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.admission.holds(req.socket)) return void socket.destroy();
    // node:http leaves an upgrade socket without an error listener; while its credential is
    // checked (scrypt, milliseconds) a peer that resets it must not crash the hub.
    socket.on('error', () => socket.destroy());
    this.upgrade(req, socket, head).catch((e) => {
      const err = isCamwireError(e) ? e : createError('CAMWIRE_ERR_BAD_REQUEST', String(e));
      const status = statusOf(err.code);
      this.count(status);
      rawReply(socket, status, JSON.stringify({ error: { code: err.code, message: err.message } }), status === 401 ? 'WWW-Authenticate: Bearer realm="camwire"\r\n' : '');
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const t = await this.authorise(req);
    const upgrade = this.opts.upgrade;
    if (t.route.kind !== 'ws' || !upgrade) throw createError('CAMWIRE_ERR_NOT_FOUND', 'WebSocket upgrades are served on /ws only');
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw createError('CAMWIRE_ERR_BAD_REQUEST', 'only "Upgrade: websocket" is supported');
    if (!isSameOrigin(req.headers.origin, req.headers.host)) {
      throw createError('CAMWIRE_ERR_FORBIDDEN_ORIGIN', `a page from ${String(req.headers.origin).slice(0, 200)} may not open this hub's viewer socket; open the viewer from the hub itself (http://${req.headers.host}/)`);
    }
    const d = await this.viewer(t.presented, req);
    if (!d.ok) throw createError(d.code, d.message);
    if (socket.destroyed) return;
    // The socket now belongs to the WebSocket side: counted and closed there, not here
    // (its admission slot stays until it closes, so per-address limits cover sockets too).
    this.admission.authenticate(req.socket);
    this.release(req.socket);
    const presented = t.presented;
    upgrade(req, socket, head, (stream) => this.decide(presented, { action: 'view', stream }, req, 'ws'));
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    // A client that connected and closed without a request is not an error worth a reply.
    if (err.code === 'HPE_INVALID_EOF_STATE' || err.code === 'ECONNRESET') return void socket.destroy();
    // Node's parser rejected the request before any handler: answer once, then hang up.
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    this.count(status);
    rawReply(socket, status, '');
  }

  private count(status: number): void {
    this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
  }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 414: 'URI Too Long', 421: 'Misdirected Request', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' };

/** Authorised is a routed request that passed its checks, with the credential it presented. */
interface Authorised extends Target {
  presented: Presented | undefined;
}

/** rawReply answers on a socket node:http no longer manages (client errors, refused upgrades). */
function rawReply(socket: Duplex, status: number, body: string, extraHeaders = ''): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n${extraHeaders}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** definedOnly drops undefined values, so they do not override defaults in a spread. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
