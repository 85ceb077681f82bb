/**
 * server: the TCP side of a hub. Publishers push streams in, viewers pull them out; each viewer
 * reads through its own newest-frame slot, so a slow one only ever hurts itself.
 */
import { createServer, type Socket } from 'node:net';
import { DEFAULT_STREAM, type Hub } from '../../hub/hub.js';
import type { Publisher } from '../../hub/stream.js';
import { isJpeg } from '../../codecs/jpeg.js';
import type { Config } from '../../config/defaults.js';
import { validateConfig } from '../../config/schema.js';
import { createError, isCamwireError, type CamwireError } from '../../util/errors.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import { PeerLimits, PreAuthBudget, type PeerLimitsOptions } from '../../util/peer-limits.js';
import { Listener } from '../../util/listen.js';
import { pumpNewest } from '../../hub/pump.js';
import { Connection } from './connection.js';
import { encodeEnd, encodeError, encodeWelcome, MAX_VIA, type Message } from './messages.js';
import { AGENT } from './agent.js';
import { createAuthenticator, type Authenticator } from '../../auth/index.js';
import { HubHandshake, type Accepted } from './handshake.js';

const log = createLogger('tcp');

/** REFUSALS: codes a peer earns by asking for what it may not have; logged at most once a second. */
const REFUSALS: ReadonlySet<string> = new Set(['CAMWIRE_ERR_UNAUTHORIZED', 'CAMWIRE_ERR_FORBIDDEN']);

const PEER_LIMIT_KEYS = ['maxConnections', 'reservedConnections', 'maxConnectionsPerAddress', 'handshakesPerSecond', 'handshakeBurst', 'preAuthPeerBytes', 'preAuthBudgetBytes', 'preAuthTimeoutMs'] as const;

/** TcpServerOptions: where to listen and the connection limits. */
export type TcpServerOptions = Pick<Config, 'maxFrameBytes' | 'keepaliveMs' | 'timeoutMs' | 'preAuthTimeoutMs' | 'writeStallMs' | 'token' | 'preAuthBudgetBytes'> &
  PeerLimitsOptions & {
    port: number;
    host: string;
    /** preAuthBudget: the hub-wide pre-auth byte budget shared with the other listeners (default: one of its own). */
    preAuthBudget?: PreAuthBudget;
    /** auth: the hub's Authenticator, shared with the other listeners (startHub builds one; default: none, the no-auth policy). */
    auth?: Authenticator;
    /** publishers: false refuses every inbound publisher (a `send …?listen` camera serves, it is never written to). */
    publishers?: boolean;
  };

/** TcpServer accepts camwire TCP connections for a Hub. */
export class TcpServer extends Listener<Connection> {
  /** limits admits each connection (per-address cap and rate, reserve, pre-auth budget). */
  readonly limits: PeerLimits;
  private readonly refused = new RateLimitedReport((n) => log.warn(`tcp: refused ${n} connection(s); latest: ${this.lastRefusal}`));
  private auth!: Authenticator;
  private lastRefusal = '';
  /** badFrames counts frames whose payload did not match their codec (dropped, not published). */
  badFrames = 0;

  constructor(
    private readonly hub: Hub,
    private readonly opts: TcpServerOptions,
  ) {
    super();
    // Library callers skip loadConfig: the same checks here (e.g. reservedConnections < maxConnections).
    validateConfig(opts, PEER_LIMIT_KEYS);
    this.limits = new PeerLimits(opts, opts.preAuthBudget ?? new PreAuthBudget(opts.preAuthBudgetBytes));
  }

  /** start listens; rejects with CAMWIRE_ERR_LISTEN if the port cannot be opened. */
  async start(): Promise<void> {
    // Without a shared Authenticator (library callers, a `?listen` sender) the `token` option is the one credential.
    this.auth = this.opts.auth ?? (await createAuthenticator({ token: this.opts.token || undefined }));
    const server = createServer((s) => this.accept(s));
    const target = { url: `tcp://${this.opts.host}:${this.opts.port}`, inUseHint: 'is another camwire running? pick another with --tcp', maxConnections: this.opts.maxConnections };
    await this.listenOn(server, this.opts.port, this.opts.host, target, log);
  }

  private accept(socket: Socket): void {
    const { slot, error } = this.limits.admit(socket.remoteAddress ?? '');
    if (!slot) {
      // Say why in one small write, then let go of the socket at once.
      this.lastRefusal = error.message;
      this.refused.add();
      socket.on('error', () => {});
      socket.end(encodeError({ code: error.code, message: error.message }), () => socket.destroy());
      return;
    }
    const conn = new Connection(socket, { ...this.opts, account: slot });
    this.hold(conn);
    const handshake = setTimeout(
      () => conn.fail(createError('CAMWIRE_ERR_HANDSHAKE_TIMEOUT', `handshake not completed within ${this.opts.preAuthTimeoutMs} ms (preAuthTimeoutMs)`)),
      this.opts.preAuthTimeoutMs,
    );
    let session: ((m: Message) => void) | undefined;
    let cleanup = () => {};
    const hs = new HubHandshake({
      auth: this.auth,
      address: socket.remoteAddress ?? '',
      // An unnamed viewer gets the only live stream; an unnamed publisher gets DEFAULT_STREAM,
      // never somebody else's stream.
      streamFor: (h) => (h.role === 'view' ? this.hub.resolve(h.stream) : h.stream || DEFAULT_STREAM),
      publishers: this.opts.publishers !== false,
      send: (b) => conn.send(b),
      accept: (accepted) => {
        clearTimeout(handshake);
        if (conn.closed) return;
        try {
          [session, cleanup] = this.open(conn, accepted);
        } catch (e) {
          conn.fail(isCamwireError(e) ? e : createError('CAMWIRE_ERR_MALFORMED_MESSAGE', String(e)));
        }
      },
      refuse: (e) => conn.fail(e),
    });
    conn.on('message', (m) => (session ? session(m) : hs.onMessage(m)));
    conn.on('close', (err) => {
      clearTimeout(handshake);
      slot.close();
      this.release(conn);
      cleanup();
      if (!err) return;
      // Refusals can come by the thousand (a guessing attack): one line a second, not one each.
      if (REFUSALS.has(err.code)) {
        this.lastRefusal = `${conn.remote}: ${err.message}`;
        this.refused.add();
      } else log.warn(`${conn.remote}: ${err.message} (${err.code})`);
    });
  }

  private open(conn: Connection, a: Accepted): [(m: Message) => void, () => void] {
    const who = a.authenticated ? ` as ${a.user === '' ? 'the token holder' : `"${a.user}"`}` : '';
    const label = `tcp ${conn.remote}${a.hello.agent ? ` (${a.hello.agent})` : ''}${who}`;
    // via (to viewers): this hub, then the hubs the stream came through, so a hub chain can refuse a loop.
    const via = a.hello.role === 'view' ? [this.hub.id, ...(this.hub.get(a.stream)?.via ?? [])].slice(0, MAX_VIA) : undefined;
    const welcome = encodeWelcome({ stream: a.stream, agent: AGENT, keepaliveMs: this.opts.keepaliveMs, ...(a.signature ? { signature: a.signature } : {}), ...(via ? { via } : {}) });
    const session = a.hello.role === 'publish' ? this.openPublisher(conn, a.stream, label, welcome) : this.openViewer(conn, a.stream, label, welcome);
    conn.authenticate();
    return session;
  }

  private openPublisher(conn: Connection, name: string, label: string, welcome: Buffer): [(m: Message) => void, () => void] {
    const pub: Publisher = this.hub.publish(name, label);
    conn.send(welcome);
    log.info(`${label} publishes "${name}"`);
    const onMessage = (m: Message) => {
      switch (m.type) {
        case 'frame':
          if (m.frame.codec === 'mjpeg' && !isJpeg(m.frame.payload)) {
            this.badFrames++;
            return;
          }
          return pub.publish({ ...m.frame, stream: name });
        case 'keepalive':
          return;
        case 'end':
          log.info(`${label} ended "${name}"`);
          pub.end();
          return conn.end();
        default:
          return conn.fail(unexpected(m, 'publisher'));
      }
    };
    return [onMessage, () => pub.detach()];
  }

  private openViewer(conn: Connection, name: string, label: string, welcome: Buffer): [(m: Message) => void, () => void] {
    const reader = this.hub.read(name, { label });
    conn.send(welcome);
    log.debug(`${label} views "${name}"`);
    void pumpNewest(reader, conn).then(() => {
      // The stream ended (not the viewer): say so, then close.
      if (conn.closed) return;
      conn.send(encodeEnd());
      conn.end();
    });
    const onMessage = (m: Message) => {
      if (m.type === 'keepalive') return;
      if (m.type === 'end') return conn.end();
      conn.fail(unexpected(m, 'viewer'));
    };
    return [onMessage, () => reader.close()];
  }
}

function unexpected(m: Message, role: string): CamwireError {
  return createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `a ${role} may not send ${m.type.toUpperCase()}`);
}
