/**
 * tcp-listener: a listening TCP port speaking one seed format, in one of two roles.
 *
 * - `serve` (be the old camera server, 000 / 004): every viewer that connects gets the stream
 *   through its own newest-frame reader and the one pump; any number of them, each leaving
 *   whenever it likes without disturbing the rest.
 * - `accept` (be the old viewer server, 002 / 003): old cameras connect and push; the newest
 *   connection feeds the stream (a camera that reconnects replaces its stale session).
 *
 * The formats carry no credentials: `allow` limits peers by address, and the port is logged once
 * as unauthenticated when it opens.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Reader } from '../../hub/reader.js';
import { pumpNewest } from '../../hub/pump.js';
import { boundPort, listen } from '../../util/listen.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import type { AllowList } from './allow.js';
import type { TcpWire } from './formats.js';
import type { FrameEncoder } from './frame-encoder.js';
import type { SeedPicture } from './picture.js';
import { SocketSink } from './socket-sink.js';
import { readPictures } from './socket-source.js';

const log = createLogger('seed');

/** SeedListenerOptions: where to listen, the format and the limits. */
export interface SeedListenerOptions {
  host: string;
  port: number;
  wire: TcpWire;
  allow: AllowList;
  maxFrameBytes: number;
  maxConnections: number;
  timeoutMs: number;
  writeStallMs: number;
}

/** SeedRole: what connecting peers do — take frames (`serve`) or bring them (`accept`). */
export type SeedRole = { kind: 'serve'; read: (label: string) => Reader; encoder: FrameEncoder } | { kind: 'accept'; picture: (p: SeedPicture) => void };

/** SeedTcpListener runs the port; see the file comment. */
export class SeedTcpListener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private pusher: Socket | undefined;
  private readonly refused = new RateLimitedReport((n) => log.warn(`${this.url}: refused ${n} connection(s) from addresses outside allow=`));

  constructor(
    private readonly opts: SeedListenerOptions,
    private readonly role: SeedRole,
  ) {}

  private get url(): string {
    return `tcp://${this.opts.host}:${this.port || this.opts.port}?wire=${this.opts.wire}`;
  }

  /** start listens (CAMWIRE_ERR_LISTEN if it cannot) and says once that the port is unauthenticated. */
  async start(): Promise<void> {
    const server = createServer((s) => this.accept(s));
    await listen(server, this.opts.port, this.opts.host, { url: `tcp://${this.opts.host}:${this.opts.port}`, inUseHint: 'is the old program still running there?', maxConnections: this.opts.maxConnections }, log);
    this.server = server;
    const who = this.role.kind === 'serve' ? 'watch this stream' : 'publish into this stream';
    log.warn(`${this.url} is unauthenticated (wire=${this.opts.wire} has no credentials): ${this.opts.allow ? 'only addresses in allow= may connect' : `anyone who can reach it may ${who}; limit it with allow=CIDR`}`);
  }

  /** port is the bound port (useful with port 0). */
  get port(): number {
    return boundPort(this.server);
  }

  /** connections is the number of open peer connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** close stops listening and drops every peer. Idempotent. */
  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const c of this.sockets) c.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    if (this.opts.allow && !this.opts.allow(address)) {
      this.refused.add();
      return void socket.destroy();
    }
    const label = `${this.opts.wire} ${address}:${socket.remotePort}`;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', (e: NodeJS.ErrnoException) => log.debug(`${label}: ${e.code ?? e.message}`));
    if (this.role.kind === 'serve') {
      log.info(`${label} connected (viewer)`);
      socket.on('close', () => log.info(`${label} left`));
      // Old viewers send nothing; whatever they do send is read and discarded so it cannot pile up.
      socket.on('data', () => {});
      const reader = this.role.read(label);
      void pumpNewest(reader, new SocketSink(socket, this.role.encoder, this.opts.writeStallMs, log)).finally(() => socket.end());
      return;
    }
    const role = this.role;
    if (this.pusher) log.info(`${label} replaces the previous camera connection`);
    this.pusher?.destroy();
    this.pusher = socket;
    log.info(`${label} connected (camera)`);
    socket.on('close', () => {
      if (this.pusher === socket) this.pusher = undefined;
    });
    readPictures(socket, this.opts, (p) => this.pusher === socket && role.picture(p), log);
  }
}
