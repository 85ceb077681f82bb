/**
 * credentials: what an HTTP request or WebSocket upgrade presents, and whether it may present it
 * here. Read, in this order: `Authorization: Bearer TOKEN` / `Basic`, the login session cookie
 * (sessions.ts), and `?token=` on the routes where a client cannot set headers (access.ts).
 *
 * Plain HTTP: a secret sent over plain HTTP can be read by anyone on the network path, and a
 * token or password, once read, is as good as the owner's. So a hub refuses credentials (header,
 * `?token=` or a login) arriving over plain HTTP from another machine, with one line saying to
 * use --tls-cert; loopback (this machine, or a TLS-terminating proxy on it) is fine, and
 * `--allow-insecure-auth CIDR` accepts the risk for the listed addresses. A session cookie is
 * not refused: it was only ever issued under this same rule.
 */
import type { IncomingMessage } from 'node:http';
import { AddressList, fromHttp, isLoopback, type Presented } from '../../auth/index.js';
import { createError } from '../../util/errors.js';
import { QUERY_TOKEN_ROUTES } from './access.js';
import type { Target } from './router.js';
import type { LoginSessions } from './sessions.js';

/** Presenting is a request's credential and where it came from (undefined: anonymous). */
export interface Presenting {
  presented?: Presented;
  via?: 'header' | 'query' | 'cookie';
}

/** requestCredential reads what `req` presents for `target`; throws CAMWIRE_ERR_UNAUTHORIZED for a `?token=` where headers are expected. */
export function requestCredential(req: IncomingMessage, target: Target, sessions: LoginSessions): Presenting {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const presented = fromHttp(header, undefined);
    if (!presented) throw createError('CAMWIRE_ERR_UNAUTHORIZED', 'the Authorization header is neither "Bearer TOKEN" nor "Basic …"');
    return { presented, via: 'header' };
  }
  const session = sessions.get(req.headers.cookie);
  if (session) return { presented: session.presented, via: 'cookie' };
  const token = target.query.get('token');
  if (token === null) return {};
  if (!QUERY_TOKEN_ROUTES.has(target.route.kind)) {
    throw createError('CAMWIRE_ERR_UNAUTHORIZED', `?token= is read only by the viewer socket, MJPEG, snapshots and recordings (URLs end up in logs and history); send "Authorization: Bearer TOKEN" here`);
  }
  const presented = fromHttp(undefined, token);
  if (!presented) throw createError('CAMWIRE_ERR_UNAUTHORIZED', '?token= is empty or too long');
  return { presented, via: 'query' };
}

/** InsecureAuthPolicy applies the plain-HTTP rule of the file comment. */
export class InsecureAuthPolicy {
  private readonly allowed: AddressList;

  /** constructor: `secure` for HTTPS; `allowInsecureAuth` is the comma-separated CIDR list of --allow-insecure-auth. */
  constructor(
    private readonly secure: boolean,
    allowInsecureAuth: string,
  ) {
    this.allowed = new AddressList(allowInsecureAuth.split(',').map((s) => s.trim()).filter((s) => s !== ''), 'allowInsecureAuth');
  }

  /** check throws CAMWIRE_ERR_INSECURE_AUTH when a secret from `address` must not be accepted over this connection. */
  check(address: string, via: Presenting['via'] | 'login'): void {
    if (via === undefined || via === 'cookie' || this.secure || isLoopback(address) || this.allowed.has(address)) return;
    throw createError(
      'CAMWIRE_ERR_INSECURE_AUTH',
      `credentials sent over plain HTTP from ${address.replace(/^::ffff:/, '')} refused: anyone on the network can read them; start the hub with --tls-cert/--tls-key (camwire cert makes a pair) and use https://, or accept the risk with --allow-insecure-auth CIDR`,
    );
  }
}
