/**
 * credentials: the `--auth FILE` format. JSON, so it sits next to the config file and needs no
 * parser dependency:
 *
 *   {
 *     "users": {
 *       "door-cam": { "allow": ["publish:door*"],
 *                     "secret": "scram-scrypt$32768$8$1$SALT$STOREDKEY$SERVERKEY" },
 *       "alice":    { "allow": ["view:*", "api", "metrics"], "secret": "scram-scrypt$…" }
 *     },
 *     "anonymous": ["metrics"]
 *   }
 *
 * `secret` holds the SCRAM keys (base64), never the secret: see scram.ts. `camwire auth add`
 * writes entries. `anonymous` lists what peers without credentials may do (default: nothing).
 * Every error names the file and the key, e.g. `users.alice.allow[1]`.
 */
import { readFileSync } from 'node:fs';
import { createError } from '../util/errors.js';
import { parseRule, type Rule } from './actions.js';
import { checkKdf, KEY_BYTES, type StoredKeys } from './scram.js';

/** USER_NAME_PATTERN: 0–64 characters without `:` (it separates name and secret in tokens and Basic auth); '' is the --token credential. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9_.@+\-]{0,64}$/;

/** MAX_AUTH_FILE_BYTES: a credentials file is ~250 bytes per user; 4 MiB is ~16 000 users. */
export const MAX_AUTH_FILE_BYTES = 4 * 1024 * 1024;

/** SECRET_PREFIX names the hash scheme in the `secret` field. */
export const SECRET_PREFIX = 'scram-scrypt';

/** Credential is one user as the hub holds it. */
export interface Credential {
  name: string;
  rules: Rule[];
  keys: StoredKeys;
}

/** Credentials is a parsed credentials file. */
export interface Credentials {
  users: Map<string, Credential>;
  anonymous: Rule[];
}

/** loadCredentials reads and parses a credentials file. */
export function loadCredentials(path: string): Credentials {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `cannot read auth file ${path}: ${(e as NodeJS.ErrnoException).code ?? e} (make one with "camwire auth add NAME --file ${path}")`);
  }
  if (text.length > MAX_AUTH_FILE_BYTES) throw createError('CAMWIRE_ERR_CONFIG', `auth file ${path} is larger than ${MAX_AUTH_FILE_BYTES} bytes`);
  return parseCredentials(text, `auth file ${path}`);
}

/** parseCredentials parses the JSON text; `where` starts every error message. */
export function parseCredentials(text: string, where = 'auth file'): Credentials {
  let o: unknown;
  try {
    o = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `${where} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(o)) throw createError('CAMWIRE_ERR_CONFIG', `${where} must hold a JSON object with "users"`);
  for (const k of Object.keys(o)) {
    if (k !== 'users' && k !== 'anonymous') throw createError('CAMWIRE_ERR_CONFIG', `${where}: unknown key "${k.slice(0, 40)}" (known: users, anonymous)`);
  }
  const users = new Map<string, Credential>();
  const u = o.users ?? {};
  if (!isObject(u)) throw createError('CAMWIRE_ERR_CONFIG', `${where}: users must be an object of name → { allow, secret }`);
  for (const [name, entry] of Object.entries(u)) users.set(name, parseUser(name, entry, `${where}: users.${name.slice(0, 64)}`));
  return { users, anonymous: parseRules(o.anonymous ?? [], `${where}: anonymous`) };
}

function parseUser(name: string, e: unknown, where: string): Credential {
  if (!USER_NAME_PATTERN.test(name)) throw createError('CAMWIRE_ERR_CONFIG', `${where}: a user name is up to 64 letters, digits or _ . @ + - (no ":")`);
  if (!isObject(e)) throw createError('CAMWIRE_ERR_CONFIG', `${where} must be an object { "allow": [...], "secret": "scram-scrypt$..." }`);
  for (const k of Object.keys(e)) {
    if (k !== 'allow' && k !== 'secret') throw createError('CAMWIRE_ERR_CONFIG', `${where}: unknown key "${k.slice(0, 40)}" (known: allow, secret)`);
  }
  return { name, rules: parseRules(e.allow, `${where}.allow`), keys: parseSecret(e.secret, `${where}.secret`) };
}

function parseRules(v: unknown, where: string): Rule[] {
  if (!Array.isArray(v)) throw createError('CAMWIRE_ERR_CONFIG', `${where} must be a list like ["view:*", "publish:door*"]`);
  return v.map((r, i) => parseRule(r, `${where}[${i}]`));
}

/** parseSecret parses `scram-scrypt$N$r$p$SALT$STOREDKEY$SERVERKEY`. */
export function parseSecret(v: unknown, where: string): StoredKeys {
  const bad = (why: string) => createError('CAMWIRE_ERR_CONFIG', `${where}: ${why} (write entries with "camwire auth add"; the secret itself never goes in the file)`);
  if (typeof v !== 'string') throw bad('missing; expected "scram-scrypt$N$r$p$SALT$STOREDKEY$SERVERKEY"');
  const parts = v.split('$');
  if (parts.length !== 7 || parts[0] !== SECRET_PREFIX) throw bad(`must look like "${SECRET_PREFIX}$N$r$p$SALT$STOREDKEY$SERVERKEY"`);
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,8}$/.test(s) ? Number(s) : NaN));
  const kdf = { N, r, p };
  checkKdf(kdf, where);
  const [salt, storedKey, serverKey] = parts.slice(4).map((s) => (/^[A-Za-z0-9+/]+={0,2}$/.test(s) ? Buffer.from(s, 'base64') : Buffer.alloc(0)));
  if (salt.length < 8 || salt.length > 64) throw bad('the salt must be 8–64 bytes of base64');
  if (storedKey.length !== KEY_BYTES || serverKey.length !== KEY_BYTES) throw bad(`StoredKey and ServerKey must be ${KEY_BYTES} bytes of base64 each`);
  return { salt, kdf, storedKey, serverKey };
}

/** formatSecret writes StoredKeys in the file's `secret` form. */
export function formatSecret(k: StoredKeys): string {
  return [SECRET_PREFIX, k.kdf.N, k.kdf.r, k.kdf.p, k.salt.toString('base64'), k.storedKey.toString('base64'), k.serverKey.toString('base64')].join('$');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
