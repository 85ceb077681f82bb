/**
 * login: `/api/session`, the viewer page's login (sessions.ts holds the sessions).
 *
 * ```
 *   GET    /api/session   {"auth":true,"user":"alice"|null,"view":true}   who the request is, and whether it may open the viewer
 *   POST   /api/session   {"user":"alice","secret":"…"} or {"token":"…"}   log in: sets the session cookie
 *   DELETE /api/session                                                  log out: forgets the session, clears the cookie
 * ```
 *
 * `user` is null for an anonymous request and "" for the hub's --token credential. The POST body
 * must be JSON (a cross-site HTML form cannot send that without the browser asking first) of at
 * most MAX_LOGIN_BYTES, and a request with an Origin must come from the hub's own page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromTokenString, type Decision, type Presented } from '../../auth/index.js';
import { createError } from '../../util/errors.js';
import { isSameOrigin } from './origin.js';
import { sendJson } from './reply.js';
import type { LoginSessions } from './sessions.js';

/** MAX_LOGIN_BYTES: a user name and a secret fit in far less; the body is refused before it is buffered past this. */
export const MAX_LOGIN_BYTES = 4096;

/** LoginContext: what the listener knows that a login needs. */
export interface LoginContext {
  sessions: LoginSessions;
  /** authEnabled: false on a hub without auth (then there is nothing to log in to). */
  authEnabled: boolean;
  secure: boolean;
  /** viewer decides whether `presented` may open the viewer socket (server.ts: the /ws rule). */
  viewer(presented: Presented | undefined): Promise<Decision>;
  /** checkTransport applies the plain-HTTP rule to a login from this request (credentials.ts). */
  checkTransport(): void;
}

/** serveSession answers /api/session for a request presenting `presented` (undefined: anonymous). */
export async function serveSession(req: IncomingMessage, res: ServerResponse, presented: Presented | undefined, c: LoginContext): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD' && !isSameOrigin(req.headers.origin, req.headers.host)) {
    throw createError('CAMWIRE_ERR_FORBIDDEN_ORIGIN', 'a page from another site may not log in or out of this hub');
  }
  if (req.method === 'DELETE') {
    c.sessions.end(req.headers.cookie);
    return sendJson(res, 200, { auth: c.authEnabled, user: null, view: (await c.viewer(undefined)).ok }, { 'Set-Cookie': c.sessions.clearCookie(c.secure) });
  }
  if (req.method === 'POST') {
    const login = parseLogin(await readBody(req));
    if (!c.authEnabled) throw createError('CAMWIRE_ERR_BAD_REQUEST', 'this hub has no auth configured: there is nothing to log in to');
    c.checkTransport();
    const d = await c.viewer(login);
    if (!d.ok) throw createError(d.code, d.message);
    const id = c.sessions.create(login);
    return sendJson(res, 200, { auth: true, user: login.user, view: true }, { 'Set-Cookie': c.sessions.setCookie(id, c.secure) });
  }
  const d = await c.viewer(presented);
  if (!d.ok && presented !== undefined) throw createError(d.code, d.message);
  return sendJson(res, 200, { auth: c.authEnabled, user: presented ? presented.user : null, view: d.ok });
}

/** parseLogin reads `{"user","secret"}` or `{"token"}`; throws CAMWIRE_ERR_BAD_REQUEST. */
export function parseLogin(text: string): Presented {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw bad();
  }
  if (typeof o !== 'object' || o === null) throw bad();
  const { user, secret, token } = o as Record<string, unknown>;
  if (typeof token === 'string' && user === undefined && secret === undefined) {
    const p = fromTokenString(token);
    if (p) return p;
  }
  if (typeof user === 'string' && typeof secret === 'string' && token === undefined && secret !== '' && user.length <= 64 && secret.length <= 1024) return { user, secret };
  throw bad();
}

function bad() {
  return createError('CAMWIRE_ERR_BAD_REQUEST', 'log in with a JSON body {"user":"NAME","secret":"SECRET"} or {"token":"TOKEN"}');
}

/** readBody reads a JSON request body of at most MAX_LOGIN_BYTES. */
async function readBody(req: IncomingMessage): Promise<string> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw createError('CAMWIRE_ERR_BAD_REQUEST', 'send the login as Content-Type: application/json');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > MAX_LOGIN_BYTES) throw createError('CAMWIRE_ERR_BAD_REQUEST', `login body over ${MAX_LOGIN_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > MAX_LOGIN_BYTES) throw createError('CAMWIRE_ERR_BAD_REQUEST', `login body over ${MAX_LOGIN_BYTES} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}
