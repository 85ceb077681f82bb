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
 * as unauthenticated when it opens. Every peer also takes a slot of the hub's connection limits
 * (util/peer-limits: maxConnections, per-address cap and handshake rate). It never authenticates,
 * so the bytes a pushing camera's unfinished picture holds are charged to the pre-auth budget
 * (hub-wide when one is passed in) for as long as they are held: a flood of half-sent pictures
 * is refused at preAuthBudgetBytes, never the hub's memory. (The per-peer pre-auth share does not
 * apply: one picture is larger than a handshake; maxFrameBytes bounds one peer.)
 */
import { createServer, type Socket } from 'node:net';
import type { Reader } from '../../hub/reader.js';
import { pumpNewest } from '../../hub/pump.js';
import { validateConfig } from '../../config/schema.js';
import { Listener } from '../../util/listen.js';
import { createLogger, RateLimitedReport } from '../../util/logger.js';
import { PeerLimits, PreAuthBudget, type PeerLimitsOptions } from '../../util/peer-limits.js';
import type { AllowList } from './allow.js';
import type { TcpWire } from './formats.js';
import type { FrameEncoder } from './frame-encoder.js';
import type { SeedPicture } from './picture.js';
import { SocketSink } from './socket-sink.js';
import { readPictures } from './socket-source.js';

const log = createLogger('seed');

const PEER_LIMIT_KEYS = ['maxConnections', 'reservedConnections', 'maxConnectionsPerAddress', 'handshakesPerSecond', 'handshakeBurst', 'preAuthPeerBytes', 'preAuthBudgetBytes'] as const;

/** SeedListenerOptions: where to listen, the format and the limits. */
export interface SeedListenerOptions extends PeerLimitsOptions {
  host: string;
  port: number;
  wire: TcpWire;
  allow: AllowList;
  maxFrameBytes: number;
  timeoutMs: number;
  writeStallMs: number;
  preAuthBudgetBytes: number;
  /** preAuthBudget: the hub-wide pre-auth byte budget shared with the other listeners (default: one of its own). */
  preAuthBudget?: PreAuthBudget;
}

/** SeedRole: what connecting peers do — take frames (`serve`) or bring them (`accept`). */
export type SeedRole = { kind: 'serve'; read: (label: string) => Reader; encoder: FrameEncoder } | { kind: 'accept'; picture: (p: SeedPicture) => void };

/** SeedTcpListener runs the port; see the file comment. */
export class SeedTcpListener extends Listener {
  private pusher: Socket | undefined;
  private readonly outside = new RateLimitedReport((n) => log.warn(`${this.url}: refused ${n} connection(s) from addresses outside allow=`));
  private readonly refused = new RateLimitedReport((n) => log.warn(`${this.url}: refused ${n} connection(s); latest: ${this.lastRefusal}`));
  private lastRefusal = '';
  /** limits admits each connection (per-address cap and rate, maxConnections) and holds the pre-auth budget. */
  readonly limits: PeerLimits;

  constructor(
    private readonly opts: SeedListenerOptions,
    private readonly role: SeedRole,
  ) {
    super();
    // Library callers skip loadConfig: the same checks here (e.g. reservedConnections < maxConnections).
    validateConfig(opts, PEER_LIMIT_KEYS);
    this.limits = new PeerLimits(opts, opts.preAuthBudget ?? new PreAuthBudget(opts.preAuthBudgetBytes));
  }

  private get url(): string {
    return `tcp://${this.opts.host}:${this.port || this.opts.port}?wire=${this.opts.wire}`;
  }

  /** start listens (CAMWIRE_ERR_LISTEN if it cannot) and says once that the port is unauthenticated. */
  async start(): Promise<void> {
    const server = createServer((s) => this.accept(s));
    // No maxConnections for node itself: PeerLimits counts (and says which limit refused).
    await this.listenOn(server, this.opts.port, this.opts.host, { url: `tcp://${this.opts.host}:${this.opts.port}`, inUseHint: 'is the old program still running there?' }, log);
    const who = this.role.kind === 'serve' ? 'watch this stream' : 'publish into this stream';
    log.warn(`${this.url} is unauthenticated (wire=${this.opts.wire} has no credentials): ${this.opts.allow ? 'only addresses in allow= may connect' : `anyone who can reach it may ${who}; limit it with allow=CIDR`}`);
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    if (this.opts.allow && !this.opts.allow(address)) {
      this.outside.add();
      return void socket.destroy();
    }
    const { slot, error } = this.limits.admit(address);
    if (!slot) {
      // The old programs have no error message to read: the refusal is logged here only.
      this.lastRefusal = error.message;
      this.refused.add();
      return void socket.destroy();
    }
    const label = `${this.opts.wire} ${address}:${socket.remotePort}`;
    this.holdSocket(socket);
    socket.on('close', () => slot.close());
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
    readPictures(socket, { ...this.opts, budget: this.limits.budget }, (p) => this.pusher === socket && role.picture(p), log);
  }
}
