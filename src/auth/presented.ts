/**
 * presented: how a peer's credential arrives as text, and how it becomes a Presented.
 *
 * One string form serves everywhere a single token fits (`?token=`, `Authorization: Bearer`,
 * `CAMWIRE_TOKEN`, `--token-file`): `NAME:SECRET` for a user in the auth file, or a bare
 * `SECRET` for the hub's `--token` credential (user ''). HTTP Basic carries NAME and SECRET.
 */
import { USER_NAME_PATTERN } from './credentials.js';

/** Presented is what a peer presented. `user` may be '' (the --token credential has user ''). */
export interface Presented {
  user: string;
  secret: string;
}

/** MAX_SECRET_CHARS: a secret or token longer than this is not one camwire made (they are ~43 characters). */
export const MAX_SECRET_CHARS = 1024;

/**
 * fromTokenString splits `NAME:SECRET` when what precedes the first `:` can be a user name
 * (USER_NAME_PATTERN); otherwise the whole string is the secret of user ''. So a token such as
 * `x/y@z:w` is never cut in two — TCP and UDP send the user name in clear, and half a token
 * must not travel as one.
 */
export function fromTokenString(s: string): Presented | undefined {
  const t = s.trim();
  if (t === '' || t.length > MAX_SECRET_CHARS) return undefined;
  const i = t.indexOf(':');
  if (i < 0 || !USER_NAME_PATTERN.test(t.slice(0, i))) return { user: '', secret: t };
  return { user: t.slice(0, i), secret: t.slice(i + 1) };
}

/**
 * fromHttp reads `Authorization: Bearer TOKEN`, `Authorization: Basic base64(NAME:SECRET)` or
 * the `token` query parameter (for `<img>` tags, browser WebSockets and players that cannot set
 * headers). The header wins over the query.
 */
export function fromHttp(authorization: string | undefined, queryToken: string | null | undefined): Presented | undefined {
  if (authorization !== undefined && authorization.length <= MAX_SECRET_CHARS * 2) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer) return fromTokenString(bearer[1]);
    const basic = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
    if (basic) {
      const text = Buffer.from(basic[1], 'base64').toString('utf8');
      const i = text.indexOf(':');
      if (i >= 0) return { user: text.slice(0, i), secret: text.slice(i + 1) };
    }
  }
  return queryToken ? fromTokenString(queryToken) : undefined;
}

/** fromUserinfo reads `user:secret@` from a parsed URL (percent-decoded); a lone `secret@` is user ''. */
export function fromUserinfo(username: string, password: string): Presented | undefined {
  const u = safeDecode(username);
  const p = safeDecode(password);
  if (u === '' && p === '') return undefined;
  return p === '' ? { user: '', secret: u } : { user: u, secret: p };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
