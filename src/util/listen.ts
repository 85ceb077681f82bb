/**
 * listen: binding a server socket the way every camwire listener does — a typed
 * CAMWIRE_ERR_LISTEN that says what to do when the port is taken, later errors logged.
 */
import type { Server } from 'node:net';
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
