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
import { createError, ERROR_CODES, isCamwireError, type CamwireError, type ErrorCode } from '../../util/errors.js';
import { TypedEmitter } from '../../util/events.js';
import { createLogger } from '../../util/logger.js';
import { describeNetError } from '../../util/neterr.js';
import { AGENT } from './agent.js';
import { Connection } from './connection.js';
import { encodeEnd, encodeHello, type Message, type Role } from './messages.js';

const log = createLogger('tcp');

/** FATAL: errors a retry cannot fix; the client stops and reports them. */
const FATAL: ReadonlySet<string> = new Set<ErrorCode>([
  'CAMWIRE_ERR_UNAUTHORIZED',
  'CAMWIRE_ERR_BAD_STREAM_NAME',
  'CAMWIRE_ERR_UNSUPPORTED_VERSION',
  'CAMWIRE_ERR_BAD_MAGIC',
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
 * TcpClient runs one reconnecting connection; `done` settles when the stream ended cleanly
 * (resolves), a fatal error happened (rejects) or close() was called (resolves).
 */
export class TcpClient extends TypedEmitter<TcpClientEvents> {
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  private conn: Connection | undefined;
  private welcomed = false;
  private finished = false;

  private constructor(
    private readonly url: StreamUrl,
    private readonly role: Role,
    private readonly opts: TcpClientOptions,
    private readonly onFrameMessage: (m: Message) => void,
  ) {
    super();
    this.done = this.loop();
    this.done.catch(() => {}); // observed by whoever awaits done; never an unhandled rejection
  }

  /** push sends stream `name` of `hub` to the hub at `url` until the stream ends or close(). */
  static push(url: StreamUrl, hub: Hub, name: string, opts: TcpClientOptions): TcpClient {
    const reader = hub.read(name, { label: `push to ${url.text}` });
    const c = new TcpClient(url, 'publish', opts, (m) => {
      if (m.type !== 'keepalive') c.conn?.fail(createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `a hub may not send ${m.type.toUpperCase()} to a publisher`));
    });
    void c.pump(reader);
    return c;
  }

  /** pull receives the stream at `url` into stream `name` of `hub` until it ends or close(). */
  static pull(url: StreamUrl, hub: Hub, name: string, opts: TcpClientOptions): TcpClient {
    const pub: Publisher = hub.publish(name, url.text);
    const c = new TcpClient(url, 'view', opts, (m) => {
      if (m.type === 'frame') pub.publish({ ...m.frame, stream: name });
      else if (m.type === 'end') {
        pub.end();
        c.finish();
      } else if (m.type !== 'keepalive') c.conn?.fail(createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `a server may not send ${m.type.toUpperCase()} to a viewer`));
    });
    c.done.finally(() => pub.detach()).catch(() => {});
    return c;
  }

  /** connected tells whether the handshake completed on the current connection. */
  get connected(): boolean {
    return this.welcomed && !!this.conn && !this.conn.isClosed;
  }

  /** close stops the client (and its reconnect loop) and waits for it. Idempotent. */
  async close(): Promise<void> {
    this.finish();
    await this.done.catch(() => {});
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.abort.abort();
    this.conn?.end();
  }

  private async pump(reader: Reader): Promise<void> {
    for (;;) {
      const f = await reader.next();
      if (this.finished) return reader.close();
      if (!f) {
        // The local source ended: tell the hub, then stop.
        this.conn?.send(encodeEnd());
        return this.finish();
      }
      if (this.connected) await this.conn!.sendFrame(f);
    }
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
        this.finished = true;
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
    const conn = new Connection(socket, this.opts);
    this.conn = conn;
    return new Promise((resolve) => {
      const welcomeTimer = setTimeout(() => conn.fail(createError('CAMWIRE_ERR_HANDSHAKE_TIMEOUT', `${this.url.text}: no answer to HELLO within ${this.opts.handshakeTimeoutMs} ms (is that a camwire port?)`)), this.opts.handshakeTimeoutMs);
      let remoteError: CamwireError | undefined;
      conn.on('message', (m) => {
        if (m.type === 'error') {
          // Keep the server's code when this build knows it, so FATAL decisions work across the wire.
          const code = (m.error.code in ERROR_CODES ? m.error.code : 'CAMWIRE_ERR_REMOTE') as ErrorCode;
          remoteError = createError(code, `${this.url.text}: ${m.error.message}`);
          return conn.destroy();
        }
        if (!this.welcomed) {
          if (m.type !== 'welcome') return conn.fail(createError('CAMWIRE_ERR_UNEXPECTED_MESSAGE', `expected WELCOME, got ${m.type.toUpperCase()}`));
          clearTimeout(welcomeTimer);
          conn.adoptKeepalive(m.welcome.keepaliveMs);
          this.welcomed = true;
          log.info(`connected to ${this.url.text} (${this.role === 'publish' ? 'publishing' : 'viewing'} "${m.welcome.stream}")`);
          this.emit('state', 'connected', m.welcome.stream);
          return;
        }
        this.onFrameMessage(m);
      });
      conn.on('close', (err) => {
        clearTimeout(welcomeTimer);
        this.welcomed = false;
        resolve(remoteError ?? (err ? withUrl(err, this.url.text) : undefined));
      });
      conn.send(encodeHello({ role: this.role, stream: this.url.stream, agent: AGENT, ...(this.opts.token ? { token: this.opts.token } : {}) }));
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
  return isCamwireError(err) && !err.message.includes(url) ? createError(err.code, `${url}: ${err.message}`, { cause: err }) : err;
}
