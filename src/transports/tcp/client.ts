/**
 * client: the connecting side of camwire TCP. `push` sends a local hub stream to a remote hub
 * (a sender); `pull` receives a remote stream into a local hub stream (a viewer). Both
 * reconnect by themselves with capped, jittered backoff, and say so once per attempt series.
 */
import { connect, type Socket } from 'node:net';
import type { Hub } from '../../hub/hub.js';
import type { Reader } from '../../hub/reader.js';
import type { Publisher } from '../../hub/stream.js';
import type { Config } from '../../config/defaults.js';
import { hostForUrl, type StreamUrl } from '../../config/url.js';
import { Backoff } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { createError, isCamwireError, remoteError, type CamwireError, type ErrorCode } from '../../util/errors.js';
import { TypedEmitter } from '../../util/events.js';
import { createLogger } from '../../util/logger.js';
import { describeNetError } from '../../util/neterr.js';
import { Connection } from './connection.js';
import { encodeEnd, type Message, type Role, type Welcome } from './messages.js';
import { ClientHandshake } from './handshake.js';
import { fromTokenString, type Presented } from '../../auth/index.js';
import { pumpNewest, type FrameSink } from '../../hub/pump.js';

const log = createLogger('tcp');

/** FATAL: errors a retry cannot fix; the client stops and reports them. */
const FATAL: ReadonlySet<string> = new Set<ErrorCode>([
  'CAMWIRE_ERR_UNAUTHORIZED',
  'CAMWIRE_ERR_FORBIDDEN',
  'CAMWIRE_ERR_BAD_STREAM_NAME',
  'CAMWIRE_ERR_UNSUPPORTED_VERSION',
  'CAMWIRE_ERR_BAD_MAGIC',
  'CAMWIRE_ERR_LOOP',
]);

/** TcpClientOptions: limits, timers, reconnect policy. */
export type TcpClientOptions = Pick<
  Config,
  'maxFrameBytes' | 'keepaliveMs' | 'timeoutMs' | 'handshakeTimeoutMs' | 'writeStallMs' | 'reconnectInitialMs' | 'reconnectMaxMs' | 'token'
> & {
  /** reconnect: keep retrying (default); false makes the first failure final. */
  reconnect: boolean;
  /** hint is appended to "connection refused", naming what should be running there. */
  hint?: string;
};

/** ClientState is what a client is doing now. */
export type ClientState = 'connecting' | 'connected' | 'retrying' | 'ended' | 'failed';

/** TcpClientEvents: state changes, for progress displays. */
export type TcpClientEvents = {
  state: (s: ClientState, detail?: string) => void;
};

/**
 * TcpClient runs one reconnecting connection. Lifecycle: `push`/`pull` build it, `start()`
 * attaches it to the hub and begins connecting, `close()` (idempotent) releases the socket,
 * timers, the hub reader or publisher, and waits for all of it. `done` settles when the stream
 * ended cleanly (resolves), a fatal error happened (rejects) or close() was called (resolves).
 */
export class TcpClient extends TypedEmitter<TcpClientEvents> {
  readonly done: Promise<void>;
  private settle!: { resolve: () => void; reject: (e: unknown) => void };
  private readonly abort = new AbortController();
  private conn: Connection | undefined;
  private welcomed = false;
  private finished = false;
  private started = false;
  private pumped: Promise<void> = Promise.resolve();
  /** wakers are called when the client connects or finishes (see untilConnected). */
  private wakers = new Set<() => void>();
  private onFrameMessage: (m: Message) => void = () => {};
  /** credential: from the `token` option (`NAME:SECRET` or a bare token); proved, never sent. */
  private readonly credential: Presented | undefined;
  /** onWelcome checks a WELCOME before frames flow; an error it returns ends the connection with it. */
  private onWelcome: (w: Welcome) => CamwireError | undefined = () => undefined;

  private constructor(
    private readonly url: StreamUrl,
    private readonly role: Role,
    private readonly opts: TcpClientOptions,
    /** attach connects the client to its hub stream at start(); returns what close() releases. */
    private readonly attach: (c: TcpClient) => () => void,
  ) {
    super();
    this.credential = opts.token ? fromTokenString(opts.token) : undefined;
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => {}); // observed by whoever awaits done; never an unhandled rejection
  }

  /** push builds a client that sends stream `name` of `hub` to the hub at `url` (after start()). */
  static push(url: StreamUrl, hub: Hub, name: string, opts: TcpClientOptions): TcpClient {
    return new TcpClient(url, 'publish', opts, (c) => {
      const reader = hub.read(name, { label: `push to ${url.text}` });
      c.onFrameMessage = (m) => {
        if (m.type !== 'keepalive') c.conn?.fail(createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `a hub may not send ${m.type.toUpperCase()} to a publisher`));
      };
      c.pumped = c.pushFrom(reader);
      return () => reader.close();
    });
  }

  /** pull builds a client that receives the stream at `url` into stream `name` of `hub` (after start()). */
  static pull(url: StreamUrl, hub: Hub, name: string, opts: TcpClientOptions): TcpClient {
    return TcpClient.pullWith(url, () => hub.publish(name, url.text), opts);
  }

  /**
   * pullWith is pull into the publisher `claim` returns at start() (a source that was handed
   * one). The stream learns the hubs it came through from WELCOME; a stream that already passed
   * through this hub is refused (CAMWIRE_ERR_LOOP), so a chain of hubs never loops.
   */
  static pullWith(url: StreamUrl, claim: () => Publisher, opts: TcpClientOptions): TcpClient {
    return new TcpClient(url, 'view', opts, (c) => {
      const pub = claim();
      const name = pub.stream.name;
      c.onWelcome = (w) => {
        const via = w.via ?? [];
        if (pub.stream.hubId && via.includes(pub.stream.hubId)) {
          return createError('CAMWIRE_ERR_LOOP', `${url.text}: stream "${w.stream}" already comes from this hub (hub chain ${[pub.stream.hubId, ...via].join(' ← ')}); pulling it would loop`);
        }
        pub.stream.via = via;
        return undefined;
      };
      c.onFrameMessage = (m) => {
        if (m.type === 'frame') pub.publish({ ...m.frame, stream: name });
        else if (m.type === 'end') {
          pub.end();
          c.finish();
        } else if (m.type !== 'keepalive') c.conn?.fail(createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `a server may not send ${m.type.toUpperCase()} to a viewer`));
      };
      return () => pub.detach();
    });
  }

  /**
   * start attaches the client to its hub stream and begins connecting; it resolves at once
   * (connecting goes on in the background: `state` events, `done`). Idempotent.
   */
  async start(): Promise<void> {
    if (this.started || this.finished) return;
    this.started = true;
    const release = this.attach(this);
    this.loop()
      .then(this.settle.resolve, this.settle.reject)
      .finally(release);
  }

  /** connected tells whether the handshake completed on the current connection. */
  get connected(): boolean {
    return this.welcomed && !!this.conn && !this.conn.closed;
  }

  /** close stops the client (and its reconnect loop), releases everything and waits for it. Idempotent. */
  async close(): Promise<void> {
    this.finish();
    if (!this.started) this.settle.resolve();
    await this.done.catch(() => {});
    await this.pumped;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.abort.abort();
    this.conn?.end();
    this.wake();
  }

  private wake(): void {
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  /** untilConnected resolves when the handshake completes, the client finishes, or after `ms`. */
  private untilConnected(ms = Infinity): Promise<void> {
    if (this.connected || this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      this.wakers.add(done);
    });
  }

  /**
   * pushFrom drives the one newest-wins pump into this client: while it is not connected the
   * sink is busy, so frames wait in the reader's slot (newer ones replacing them) and the newest
   * goes out as soon as the handshake completes. When the local stream ends, END is delivered
   * once connected, waiting at most timeoutMs for a connection.
   */
  private async pushFrom(reader: Reader): Promise<void> {
    const client = this;
    const sink: FrameSink = {
      get closed() {
        return client.finished;
      },
      busy: () => !this.connected || this.conn!.busy(),
      writable: () => (this.connected ? this.conn!.writable() : this.untilConnected()),
      write: (f) => this.conn!.write(f),
    };
    await pumpNewest(reader, sink);
    if (this.finished) return;
    await this.untilConnected(this.opts.timeoutMs);
    if (this.connected) this.conn!.send(encodeEnd());
    else log.warn(`${this.url.text}: the stream ended while not connected; END not delivered within ${this.opts.timeoutMs} ms`);
    this.finish();
  }

  private async loop(): Promise<void> {
    const backoff = new Backoff({ initialMs: this.opts.reconnectInitialMs, maxMs: this.opts.reconnectMaxMs });
    let reported = false;
    while (!this.finished) {
      this.emit('state', backoff.attempts === 0 ? 'connecting' : 'retrying');
      const err = await this.session();
      if (this.finished) break;
      if (err && (FATAL.has(err.code) || !this.opts.reconnect)) {
        this.emit('state', 'failed', err.message);
        // finish(), not just the flag: a push pump waiting in untilConnected() must wake and
        // end, or close() (which awaits it) hangs and `send` exits 0 without saying why.
        this.finish();
        throw err;
      }
      if (this.welcomed) {
        backoff.reset();
        reported = false;
      }
      if (!reported) {
        reported = true;
        log.warn(`${err?.message ?? `${this.url.text}: connection closed`}; retrying (Ctrl-C to stop)`);
      }
      await sleep(backoff.next(), this.abort.signal);
    }
    this.emit('state', 'ended');
  }

  /** session runs one connection to its end; returns why it ended (undefined: cleanly). */
  private async session(): Promise<CamwireError | undefined> {
    this.welcomed = false;
    let socket: Socket;
    try {
      socket = await this.connect();
    } catch (e) {
      return e as CamwireError;
    }
    if (this.finished) {
      socket.destroy();
      return undefined;
    }
    const conn = new Connection(socket, this.opts);
    this.conn = conn;
    return new Promise((resolve) => {
      const welcomeTimer = setTimeout(() => conn.fail(createError('CAMWIRE_ERR_HANDSHAKE_TIMEOUT', `${this.url.text}: no answer to HELLO within ${this.opts.handshakeTimeoutMs} ms (is that a camwire port?)`)), this.opts.handshakeTimeoutMs);
      let failure: CamwireError | undefined;
      const hs = new ClientHandshake(this.credential, this.url.text);
      conn.on('message', (m) => {
        if (m.type === 'error') {
          // Keep the server's code when this build knows it, so FATAL decisions work across the wire
          // (remoteError: a hostile code such as "constructor" or "__proto__" is just unknown).
          const e = remoteError(m.error.code, m.error.message);
          failure = createError(e.code, `${this.url.text}: ${e.message}`);
          return conn.destroy();
        }
        if (!this.welcomed) {
          if (m.type === 'challenge') {
            try {
              return conn.send(hs.answer(m.challenge));
            } catch (e) {
              return conn.fail(isCamwireError(e) ? e : createError('CAMWIRE_ERR_MALFORMED_MESSAGE', String(e)));
            }
          }
          if (m.type !== 'welcome') return conn.fail(createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `expected WELCOME, got ${m.type.toUpperCase()}`));
          failure = hs.check(m.welcome);
          if (failure) return conn.destroy();
          clearTimeout(welcomeTimer);
          const refused = this.onWelcome(m.welcome);
          if (refused) return conn.fail(refused);
          conn.authenticate();
          conn.adoptKeepalive(m.welcome.keepaliveMs);
          this.welcomed = true;
          this.wake();
          log.info(`connected to ${this.url.text} (${this.role === 'publish' ? 'publishing' : 'viewing'} "${m.welcome.stream}")`);
          this.emit('state', 'connected', m.welcome.stream);
          return;
        }
        this.onFrameMessage(m);
      });
      conn.on('close', (err) => {
        clearTimeout(welcomeTimer);
        this.welcomed = false;
        resolve(failure ?? (err ? withUrl(err, this.url.text) : undefined));
      });
      conn.send(hs.hello(this.role, this.url.stream));
    });
  }

  private connect(): Promise<Socket> {
    const target = `tcp://${hostForUrl(this.url.host)}:${this.url.port}`;
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.url.host, port: this.url.port });
      const onAbort = () => s.destroy(new Error('aborted'));
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      s.setTimeout(this.opts.handshakeTimeoutMs, () => s.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      s.once('connect', () => {
        s.setTimeout(0);
        this.abort.signal.removeEventListener('abort', onAbort);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        this.abort.signal.removeEventListener('abort', onAbort);
        const hint = e.code === 'ECONNREFUSED' && this.opts.hint ? ` (${this.opts.hint})` : '';
        reject(createError('CAMWIRE_ERR_CONNECT', `cannot connect to ${target}: ${describeNetError(e)}${hint}`, { cause: e }));
      });
    });
  }
}

function withUrl(err: CamwireError, url: string): CamwireError {
  // Keep the socket's own error as the cause (ECONNRESET, a certificate error), not the wrapper.
  return isCamwireError(err) && !err.message.includes(url) ? createError(err.code, `${url}: ${err.message}`, { cause: err.cause ?? err }) : err;
}
