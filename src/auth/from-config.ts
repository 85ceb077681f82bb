/**
 * from-config: the Authenticator and the client credential from a Config, so `serve`, `demo`,
 * `send`, `view` and library users read `auth`, `token`, `tokenFile`, `authHttpUrl` and
 * `allowPublish` the same way.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/defaults.js';
import { createError } from '../util/errors.js';
import { createAuthenticator, type Authenticator } from './authenticator.js';
import { loadCredentials } from './credentials.js';
import { fromTokenString, fromUserinfo, type Presented } from './presented.js';

/** AuthConfig is the part of Config auth reads. */
export type AuthConfig = Pick<Config, 'token' | 'tokenFile' | 'authFile' | 'authHttpUrl' | 'allowPublish'>;

/** resolveToken returns `token`, or the first line of `tokenFile`, or ''. */
export function resolveToken(c: Pick<Config, 'token' | 'tokenFile'>): string {
  if (c.token) return c.token;
  if (!c.tokenFile) return '';
  let text: string;
  try {
    text = readFileSync(c.tokenFile, 'utf8');
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `tokenFile: cannot read ${c.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const line = text.split(/\r?\n/)[0].trim();
  if (!line) throw createError('CAMWIRE_ERR_CONFIG', `tokenFile: ${c.tokenFile} is empty; put the token on its first line`);
  return line;
}

/** authenticatorFromConfig builds the hub's Authenticator from the config's auth keys. */
export async function authenticatorFromConfig(c: AuthConfig): Promise<Authenticator> {
  if (c.authHttpUrl && !/^https?:\/\//i.test(c.authHttpUrl)) throw createError('CAMWIRE_ERR_CONFIG', `authHttpUrl "${c.authHttpUrl.slice(0, 80)}" must be an http:// or https:// URL`);
  return createAuthenticator({
    credentials: c.authFile ? loadCredentials(c.authFile) : undefined,
    token: resolveToken(c) || undefined,
    callback: c.authHttpUrl ? { url: c.authHttpUrl } : undefined,
    allowPublish: c.allowPublish.split(',').map((s) => s.trim()).filter((s) => s !== ''),
  });
}

/**
 * clientCredential is what `send` and `view` present: URL userinfo (`tcp://user:secret@host/…`)
 * first, then `token` / `tokenFile` / CAMWIRE_TOKEN (already merged into the config), as
 * `NAME:SECRET` or a bare `SECRET` (user ''). Undefined when there is none.
 */
export function clientCredential(c: Pick<Config, 'token' | 'tokenFile'>, url?: { username: string; password: string }): Presented | undefined {
  const fromUrl = url ? fromUserinfo(url.username, url.password) : undefined;
  if (fromUrl) return fromUrl;
  const t = resolveToken(c);
  return t ? fromTokenString(t) : undefined;
}

/**
 * urlCredential returns the userinfo of a stream URL as a token string (`NAME:SECRET`, or a
 * bare `SECRET` for `tcp://SECRET@host/…`), percent-decoded; undefined when the URL has none.
 */
export function urlCredential(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  const p = fromUserinfo(u.username, u.password);
  return p === undefined ? undefined : p.user === '' ? p.secret : `${p.user}:${p.secret}`;
}
