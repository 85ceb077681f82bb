/**
 * load: builds a Config from defaults → file (JSON) → environment (CAMWIRE_*) → flags, then
 * validates it. Errors name the key and where the value came from; unknown keys are rejected.
 */
import { readFileSync } from 'node:fs';
import { createError } from '../util/errors.js';
import { DEFAULTS, type Config } from './defaults.js';

type Kind = 'port' | 'positive' | 'count' | 'string';

const KINDS: Record<keyof Config, Kind> = {
  tcpPort: 'port',
  httpPort: 'port',
  host: 'string',
  maxFrameBytes: 'positive',
  maxConnections: 'positive',
  keepaliveMs: 'positive',
  timeoutMs: 'positive',
  handshakeTimeoutMs: 'positive',
  writeStallMs: 'positive',
  reconnectInitialMs: 'positive',
  reconnectMaxMs: 'positive',
  tlsCert: 'string',
  tlsKey: 'string',
  token: 'string',
  udpMtu: 'positive',
  udpFecPercent: 'count',
  udpFecCode: 'string',
  udpPacePercent: 'count',
  udpDeadlineMs: 'positive',
  udpRecvBufferBytes: 'positive',
  udpRefreshMs: 'positive',
  udpTtl: 'count',
};

/** CONFIG_KEYS lists every Config key. */
export const CONFIG_KEYS = Object.keys(KINDS) as (keyof Config)[];

/** envName maps a key to its environment variable: tcpPort → CAMWIRE_TCP_PORT. */
export function envName(key: string): string {
  return 'CAMWIRE_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** LoadOptions: where values come from; each layer overrides the one before. */
export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Partial<Record<keyof Config, unknown>>;
}

/** loadConfig merges the layers and validates the result. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const out: Record<string, unknown> = { ...DEFAULTS };
  if (opts.file) apply(out, readFile(opts.file), `config file ${opts.file}`);
  const env = opts.env ?? process.env;
  for (const k of CONFIG_KEYS) {
    const v = env[envName(k)];
    if (v !== undefined) out[k] = coerce(k, v, `environment ${envName(k)}`);
  }
  if (opts.flags) {
    for (const [k, v] of Object.entries(opts.flags)) if (v !== undefined) apply(out, { [k]: v }, `--${k}`);
  }
  return out as unknown as Config;
}

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw createError('CAMWIRE_ERR_CONFIG', `config file ${path} must hold a JSON object`);
  return o as Record<string, unknown>;
}

function apply(out: Record<string, unknown>, values: Record<string, unknown>, where: string): void {
  for (const [k, v] of Object.entries(values)) {
    if (!(k in KINDS)) throw createError('CAMWIRE_ERR_CONFIG', `unknown config key "${k}" in ${where} (known: ${CONFIG_KEYS.join(', ')})`);
    out[k] = coerce(k as keyof Config, v, where);
  }
}

/** coerce validates one value for `key`, turning numeric strings into numbers. */
export function coerce(key: keyof Config, v: unknown, where: string): unknown {
  const kind = KINDS[key];
  if (kind === 'string') {
    if (typeof v !== 'string') throw createError('CAMWIRE_ERR_CONFIG', `${key} (${where}) must be a string`);
    return v;
  }
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw createError('CAMWIRE_ERR_CONFIG', `${key} (${where}) must be an integer, got ${JSON.stringify(v)}`);
  if (kind === 'port' && (n < 0 || n > 65535)) throw createError('CAMWIRE_ERR_CONFIG', `${key} (${where}) must be a port 0–65535, got ${n}`);
  if (kind === 'positive' && n <= 0) throw createError('CAMWIRE_ERR_CONFIG', `${key} (${where}) must be positive, got ${n}`);
  if (kind === 'count' && n < 0) throw createError('CAMWIRE_ERR_CONFIG', `${key} (${where}) must be 0 or more, got ${n}`);
  return n;
}
