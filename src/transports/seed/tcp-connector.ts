/**
 * tcp-connector: the connecting side of a seed format, reconnecting by itself with camwire's
 * usual capped, jittered backoff (the old programs never reconnected). `pull` reads pictures
 * from an old camera server (000, 004); `push` sends a stream to an old viewer server (002/003)
 * through the one newest-frame pump.
 */
import { connect, type Socket } from 'node:net';
import { pumpNewest } from '../../hub/pump.js';
import type { Reader } from '../../hub/reader.js';
import { hostForUrl } from '../../config/url.js';
import { Backoff } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { createLogger } from '../../util/logger.js';
import { describeNetError } from '../../util/neterr.js';
import type { TcpWire } from './formats.js';
import type { FrameEncoder } from './frame-encoder.js';
import type { SeedPicture } from './picture.js';
import { SocketSink } from './socket-sink.js';
import { readPictures } from './socket-source.js';

const log = createLogger('seed');

/** SeedConnectorOptions: where to connect, the format, limits and the reconnect policy. */
export interface SeedConnectorOptions {
  host: string;
  port: number;
  wire: TcpWire;
  maxFrameBytes: number;
  timeoutMs: number;
  writeStallMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  /** reconnect: keep retrying (default); false makes the first failure final. */
  reconnect: boolean;
}

/** ConnectorRole: read pictures from the peer, or push a reader's frames to it. */
export type ConnectorRole = { kind: 'pull'; picture: (p: SeedPicture) => void } | { kind: 'push'; read: () => Reader; encoder: FrameEncoder };

/** SeedTcpConnector keeps one connection up; `done` settles when closed (or, without reconnect, failed). */
export class SeedTcpConnector {
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  private socket: Socket | undefined;

  constructor(
    private readonly opts: SeedConnectorOptions,
    private readonly role: ConnectorRole,
  ) {
    this.done = this.loop();
    this.done.catch(() => {});
  }

  private get url(): string {
    return `tcp://${hostForUrl(this.opts.host)}:${this.opts.port}?wire=${this.opts.wire}`;
  }

  /** connected tells whether a connection is up now. */
  get connected(): boolean {
    return !!this.socket && !this.socket.destroyed;
  }

  /** close stops the loop and the connection, and waits for both. Idempotent. */
  async close(): Promise<void> {
    this.abort.abort();
    this.socket?.destroy();
    await this.done.catch(() => {});
  }

  private async loop(): Promise<void> {
    const backoff = new Backoff({ initialMs: this.opts.reconnectInitialMs, maxMs: this.opts.reconnectMaxMs });
    let reported = false;
    while (!this.abort.signal.aborted) {
      let socket: Socket;
      try {
        socket = await this.connect();
      } catch (e) {
        if (this.abort.signal.aborted) break;
        if (!this.opts.reconnect) throw e;
        if (!reported) log.warn(`${(e as Error).message}; retrying (Ctrl-C to stop)`);
        reported = true;
        await sleep(backoff.next(), this.abort.signal);
        continue;
      }
      backoff.reset();
      reported = false;
      log.info(`connected to ${this.url} (${this.role.kind === 'pull' ? 'receiving' : 'sending'})`);
      await this.session(socket);
      if (this.abort.signal.aborted) break;
      if (!this.opts.reconnect) return;
      log.warn(`${this.url}: connection closed; reconnecting`);
      await sleep(backoff.next(), this.abort.signal);
    }
  }

  private session(socket: Socket): Promise<void> {
    this.socket = socket;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    if (this.role.kind === 'pull') {
      readPictures(socket, this.opts, this.role.picture, log);
    } else {
      socket.on('data', () => {}); // an old viewer sends nothing; discard whatever comes
      socket.on('error', (e: NodeJS.ErrnoException) => log.debug(`${this.url}: ${e.code ?? e.message}`));
      // A reader per connection: it starts at the newest frame, and the pump closes it with the connection.
      const sink = new SocketSink(socket, this.role.encoder, this.opts.writeStallMs, log);
      void pumpNewest(this.role.read(), sink).then(() => {
        if (!sink.closed) this.abort.abort(); // the pump stopped with the socket open: the local stream ended
        socket.end();
      });
    }
    return closed;
  }

  private connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.opts.host, port: this.opts.port });
      const onAbort = () => s.destroy(new Error('aborted'));
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      s.once('connect', () => {
        this.abort.signal.removeEventListener('abort', onAbort);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        this.abort.signal.removeEventListener('abort', onAbort);
        reject(new Error(`cannot connect to ${this.url}: ${describeNetError(e)}`));
      });
    });
  }
}
