/**
 * listen: binding a server socket the way every camwire listener does — a typed
 * CAMWIRE_ERR_LISTEN that says what to do when the port is taken, later errors logged — and
 * `Listener`, the part every listener (TCP, HTTP, the seed formats) shares after that: the bound
 * port, the connections it holds, and one idempotent close() that drops them all.
 */
import type { Server, Socket } from 'node:net';
import { createError } from './errors.js';
import { RateLimitedReport, type Logger } from './logger.js';

/** ListenTarget names what is bound, for the error: `tcp://0.0.0.0:8089`, and the fix for a taken port. */
export interface ListenTarget {
  url: string;
  inUseHint: string;
  /** maxConnections: further connections are closed on accept (and counted in one log line a second). */
  maxConnections?: number;
}

/** listen binds `server` (node:net or node:http) to host:port; rejects with CAMWIRE_ERR_LISTEN. */
export async function listen(server: Server, port: number, host: string, target: ListenTarget, log: Logger): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(createError('CAMWIRE_ERR_LISTEN', `cannot listen on ${target.url}: ${e.code === 'EADDRINUSE' ? `port already in use (${target.inUseHint})` : e.code ?? e.message}`, { cause: e })),
    );
    server.listen(port, host, () => resolve());
  });
  server.on('error', (e) => log.error(`server error: ${e.message}`));
  if (target.maxConnections !== undefined) {
    server.maxConnections = target.maxConnections;
    const refused = new RateLimitedReport((n) => log.warn(`${target.url}: refused ${n} connection(s): ${target.maxConnections} already open (maxConnections)`));
    server.on('drop', () => refused.add());
  }
}

/** boundPort is the port a listening server got (useful with port 0), or 0. */
export function boundPort(server: Server | undefined): number {
  const a = server?.address();
  return a && typeof a === 'object' ? a.port : 0;
}

/** Droppable is anything a listener holds for a peer and can drop at once (a socket, a tcp Connection). */
export interface Droppable {
  destroy(): void;
}

/**
 * Listener is the base of every camwire listener (TCP, HTTP, the seed formats): one bound server
 * and the connections accepted on it. Each subclass keeps its own accept policy (limits,
 * handshakes); what they all need — bind, the port, the count, drop everything on close — is
 * here once.
 */
export class Listener<C extends Droppable = Socket> {
  private server: Server | undefined;
  private readonly held = new Set<C>();

  /** port is the bound port (useful with port 0), or 0 before start and after close(). */
  get port(): number {
    return boundPort(this.server);
  }

  /** connections is the number of open connections. */
  get connections(): number {
    return this.held.size;
  }

  /** close stops listening, drops every connection and waits for the server to close. Idempotent. */
  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const c of this.held) c.destroy();
    await closed;
  }

  /** listenOn binds `server` as listen() does; this listener owns it from then on. */
  protected async listenOn(server: Server, port: number, host: string, target: ListenTarget, log: Logger): Promise<void> {
    await listen(server, port, host, target, log);
    this.server = server;
  }

  /** hold keeps `c` until release(c), so close() can drop it. */
  protected hold(c: C): void {
    this.held.add(c);
  }

  /** release forgets `c` (it closed, or another part took it over). */
  protected release(c: C): void {
    this.held.delete(c);
  }

  /** holdSocket holds a socket until it closes. */
  protected holdSocket(this: Listener<Socket>, s: Socket): void {
    this.hold(s);
    s.on('close', () => this.release(s));
  }
}
