/**
 * args: flag parsing shared by every command (node's util.parseArgs plus camwire's value types).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfigWithOrigins, type Loaded } from '../config/load.js';
import { DEFAULTS, type Config } from '../config/defaults.js';
import { createError } from '../util/errors.js';
import { setLogLevel } from '../util/logger.js';
import { resolveToken } from '../auth/index.js';

/** Options is a parseArgs option table. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** COMMON_OPTIONS: flags every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'max-frame-bytes': { type: 'string' },
} as const satisfies Options;

/** COMMON_HELP documents COMMON_OPTIONS for every command's --help. */
export const COMMON_HELP = `
Common options:
  --config FILE            JSON config file (keys as in docs/config.md)
  --token-file FILE        credential from FILE's first line: NAME:SECRET for a user of an
                           --auth file, or the hub's token (also: CAMWIRE_TOKEN, tcp://NAME:SECRET@…)
  --token SECRET           the same on the command line (visible in ps; prefer the above)
  --max-frame-bytes N      refuse frames larger than N bytes (default 16 MiB)
  -q, --quiet              only errors       -v, --verbose   debug logging
  -h, --help               this help`;

/** HUB_OPTIONS: the hub's listener flags shared by serve and demo. */
export const HUB_OPTIONS = {
  tcp: { type: 'string' },
  http: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'allowed-hosts': { type: 'string' },
  auth: { type: 'string' },
  'auth-http-url': { type: 'string' },
  'allow-publish': { type: 'string' },
  'allow-insecure-auth': { type: 'string' },
} as const satisfies Options;

/** HUB_HELP documents HUB_OPTIONS. */
export const HUB_HELP = `  --tcp PORT       TCP port for senders and viewers (default ${DEFAULTS.tcpPort})
  --http PORT      HTTP port for the browser viewer, MJPEG and the API (default ${DEFAULTS.httpPort})
  --tls-cert FILE  serve the HTTP port as HTTPS with this PEM certificate (H.264 tiles need
  --tls-key FILE   a secure page when the viewer is opened on a LAN address)
  --allowed-hosts NAMES  more names the HTTP port answers to (comma-separated, *.lan allowed);
                   IP addresses, localhost and this machine's name always work
  --auth FILE      users, hashed secrets and what each may do (make with "camwire auth add")
  --auth-http-url URL   ask URL (POST JSON) whether to allow each peer; 2xx allows
  --allow-publish CIDR[,CIDR]   let these addresses publish without credentials (without it,
                   TCP takes publishers only from this machine unless they have credentials)
  --allow-insecure-auth CIDR[,CIDR]   accept credentials over plain HTTP from these addresses
                   (refused from other machines: use --tls-cert; loopback always works)`;

/** hubConfigFlags maps HUB_OPTIONS to Config keys, for configFrom(). */
export function hubConfigFlags(values: Parsed['values']): Partial<Record<keyof Config, unknown>> {
  return {
    tcpPort: values.tcp,
    httpPort: values.http,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    allowedHosts: values['allowed-hosts'],
    authFile: values.auth,
    authHttpUrl: values['auth-http-url'],
    allowPublish: values['allow-publish'],
    allowInsecureAuth: values['allow-insecure-auth'],
  };
}

/** Parsed is the result of parse(): flag values and positionals. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** parse parses argv for `command`, raising a ConfigError that points at --help. */
export function parse(command: string, argv: string[], options: Options): Parsed {
  try {
    const r = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    const values = r.values as Parsed['values'];
    if (values.quiet) setLogLevel('error');
    if (values.verbose) setLogLevel('debug');
    return { values, positionals: r.positionals };
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `${(e as Error).message.split('\n')[0]} (see "camwire ${command} --help")`);
  }
}

/** configFrom loads the Config from --config, CAMWIRE_* and the given flag overrides. */
export function configFrom(values: Parsed['values'], flags: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadedConfigFrom(values, flags).config;
}

/** loadedConfigFrom is configFrom that also says where each value came from (default, file, env, flag). */
export function loadedConfigFrom(values: Parsed['values'], flags: Partial<Record<keyof Config, unknown>> = {}): Loaded {
  const loaded = loadConfigWithOrigins({
    file: values.config as string | undefined,
    flags: { token: values.token, tokenFile: values['token-file'], maxFrameBytes: values['max-frame-bytes'], ...flags },
  });
  // The token file is read here, once, so every command and transport sees one `token`.
  if (!loaded.config.token && loaded.config.tokenFile) loaded.config.token = resolveToken(loaded.config);
  return loaded;
}

/** parseSize parses "1280x720". */
export function parseSize(s: string, flag = '--size'): { width: number; height: number } {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(s);
  if (!m) throw createError('CAMWIRE_ERR_CONFIG', `${flag} "${s}" must look like 1280x720`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** parseNumber parses a finite number flag, optionally requiring min ≤ n. */
export function parseNumber(s: string | boolean | undefined, flag: string, fallback: number, min = 0): number {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (typeof s !== 'string' || !Number.isFinite(n) || n < min) throw createError('CAMWIRE_ERR_CONFIG', `${flag} "${s}" must be a number ≥ ${min}`);
  return n;
}
