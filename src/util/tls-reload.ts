/**
 * tls-reload: certificates renewed on disk reach new connections without a restart, so a hub
 * never drops its viewers for a renewal (Let's Encrypt every 60–90 days, `camwire cert` again).
 *
 * The certificate and key files are polled (fs.watchFile: it survives the rename-over and
 * symlink swaps renewal tools do, where fs.watch loses the file). When either changed, both are
 * read and checked as a pair (tls.createSecureContext); a valid pair is handed to `apply`
 * (server.setSecureContext for node's TLS and HTTPS servers): handshakes from then on use it,
 * connections already open keep theirs. A half-written or mismatched pair is logged once and
 * the old certificate stays in use until the files are right.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Logger } from './logger.js';

/** TLS_RELOAD_POLL_MS: a renewed certificate is in use within 2 s; a stat call every 2 s costs nothing. */
export const TLS_RELOAD_POLL_MS = 2000;

/** TlsPair is a PEM certificate (chain) and its private key. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** TlsWatch stops watching with close() (idempotent). */
export interface TlsWatch {
  close(): void;
}

/**
 * watchTlsFiles calls `apply` with the new pair whenever `certFile` or `keyFile` changes and the
 * two form a valid pair; see the file comment.
 */
export function watchTlsFiles(certFile: string, keyFile: string, apply: (pair: TlsPair) => void, log: Logger, pollMs = TLS_RELOAD_POLL_MS): TlsWatch {
  let lastError = '';
  const reload = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    let pair: TlsPair;
    try {
      pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
      createSecureContext(pair); // throws on a bad PEM or a key that does not match
    } catch (e) {
      const msg = (e as Error).message;
      if (msg !== lastError) log.warn(`certificate not reloaded, the old one stays in use: ${msg} (${certFile}, ${keyFile})`);
      lastError = msg;
      return;
    }
    lastError = '';
    apply(pair);
    log.info(`certificate reloaded from ${certFile}`);
  };
  const opts = { interval: pollMs, persistent: false };
  watchFile(certFile, opts, reload);
  watchFile(keyFile, opts, reload);
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      unwatchFile(certFile, reload);
      unwatchFile(keyFile, reload);
    },
  };
}
