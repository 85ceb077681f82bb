/**
 * schema: what each Config key may hold (type, range, the flag that sets it) and the rules that
 * tie keys together. One table, so a range is written once and every error names the key, where
 * the bad value came from (default, config file, environment, flag, library option) and the flag
 * a user actually types.
 */
import { createError } from '../util/errors.js';
import { DEFAULTS, type Config } from './defaults.js';
import { parseMotionZones } from './motion-zones.js';

/** MIN_MTU: 576, the smallest datagram every IPv4 host must accept (IPv6 needs 1280). */
export const MIN_MTU = 576;
/** MAX_MTU: 65535, the largest IP packet; only useful on loopback or jumbo-frame links. */
export const MAX_MTU = 65535;
/** FEC_CODES lists the parity codes UDP can send: `rs` (Reed–Solomon) and `xor`. */
export const FEC_CODES = ['rs', 'xor'] as const;

/** KeyRule: the shape of one key's values. Integers are checked against min..max (inclusive). */
export type KeyRule =
  | { type: 'int'; min: number; max?: number; what?: string; flag?: string }
  | { type: 'string'; oneOf?: readonly string[]; flag?: string }
  | { type: 'zones'; flag?: string };

const port = (flag?: string): KeyRule => ({ type: 'int', min: 0, max: 65535, what: 'a port', flag });
const positive = (flag?: string): KeyRule => ({ type: 'int', min: 1, flag });
const text = (flag?: string): KeyRule => ({ type: 'string', flag });

/** SCHEMA: the rule of every Config key; `flag` is the command-line flag that sets it, if any. */
export const SCHEMA: Readonly<Record<keyof Config, KeyRule>> = {
  tcpPort: port('--tcp'),
  httpPort: port('--http'),
  udpPort: port('--udp'),
  host: text('--host'),
  maxFrameBytes: positive('--max-frame-bytes'),
  maxConnections: positive(),
  reservedConnections: { type: 'int', min: 0, what: 'connections kept for authenticated peers' },
  maxConnectionsPerAddress: positive(),
  handshakesPerSecond: positive(),
  handshakeBurst: positive(),
  preAuthBudgetBytes: positive(),
  preAuthPeerBytes: positive(),
  preAuthTimeoutMs: positive(),
  keepaliveMs: positive(),
  timeoutMs: positive(),
  handshakeTimeoutMs: positive(),
  writeStallMs: positive(),
  reconnectInitialMs: positive(),
  reconnectMaxMs: positive(),
  tlsCert: text('--tls-cert'),
  tlsKey: text('--tls-key'),
  allowedHosts: text('--allowed-hosts'),
  token: text('--token'),
  tokenFile: text('--token-file'),
  authFile: text('--auth'),
  authHttpUrl: text('--auth-http-url'),
  allowPublish: text('--allow-publish'),
  allowInsecureAuth: text('--allow-insecure-auth'),
  udpMtu: { type: 'int', min: MIN_MTU, max: MAX_MTU, what: 'the path MTU in bytes', flag: '--mtu' },
  udpFecPercent: { type: 'int', min: 0, max: 100, what: 'parity overhead in percent; 0 turns FEC off', flag: '--fec' },
  udpFecCode: { type: 'string', oneOf: FEC_CODES, flag: '--fec-code' },
  udpPacePercent: { type: 'int', min: 0, max: 100, what: 'share of the frame interval; 0 sends each frame at once' },
  udpPaceMbps: { type: 'int', min: 0, max: 100_000, what: 'the UDP pacing rate in Mbit/s; 0 sends each frame at once', flag: '--pace-mbps' },
  udpDeadlineMs: positive(),
  udpRecvBufferBytes: positive(),
  udpRefreshMs: positive(),
  udpTtl: { type: 'int', min: 0, max: 255, what: 'multicast hops', flag: '--ttl' },
  motion: text('--motion'),
  motionFps: { type: 'int', min: 1, max: 30, what: 'analysed pictures per second' },
  motionSensitivity: { type: 'int', min: 1, max: 100, what: '1 (least sensitive) to 100 (most)' },
  motionWarmupMs: { type: 'int', min: 0 },
  motionEndMs: positive(),
  motionPreRollMs: { type: 'int', min: 0 },
  motionPostRollMs: { type: 'int', min: 0 },
  motionZones: { type: 'zones' },
  recordDir: text('--record'),
  recordKeep: text('--keep'),
  recordMaxDisk: text('--max-disk'),
  recordKeepEvents: text('--keep-events'),
  recordSegmentSeconds: positive('--segment'),
  recordStreams: text('--record-streams'),
  onMotion: text('--on-motion'),
  onMotionTimeoutMs: positive(),
  mqtt: text('--mqtt'),
  mqttTopic: text(),
  mqttDiscoveryPrefix: text(),
  udpMaxFecPercent: { type: 'int', min: 0, max: 100, what: 'the most parity a UDP receiver accepts, in percent' },
  push: text('--push'),
};

/** CONFIG_KEYS lists every Config key. */
export const CONFIG_KEYS = Object.keys(SCHEMA) as (keyof Config)[];

/** Origin says where a value came from, for error messages. */
export type Origin =
  | { from: 'default' }
  | { from: 'file'; path: string }
  | { from: 'env'; name: string }
  | { from: 'flag' }
  | { from: 'option' };

/** envName maps a key to its environment variable: tcpPort → CAMWIRE_TCP_PORT. */
export function envName(key: string): string {
  return 'CAMWIRE_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/**
 * where names a value for an error: the flag as typed (`--tcp "70000"`), the environment
 * variable, the file, or the bare key, always followed by the config key.
 */
function where(key: keyof Config, origin: Origin, raw: unknown): { lead: string; tail: string } {
  const shown = JSON.stringify(typeof raw === 'string' ? raw : String(raw));
  const flag = SCHEMA[key].flag;
  switch (origin.from) {
    case 'flag':
      return flag ? { lead: `${flag} ${shown}`, tail: ` (config key ${key})` } : { lead: key, tail: `, got ${shown} (option)` };
    case 'env':
      return { lead: `${origin.name}=${shown}`, tail: ` (config key ${key}, from the environment)` };
    case 'file':
      return { lead: key, tail: `, got ${shown} (in config file ${origin.path})` };
    default:
      return { lead: key, tail: `, got ${shown} (${origin.from})` };
  }
}

function fail(key: keyof Config, origin: Origin, raw: unknown, must: string): never {
  const w = where(key, origin, raw);
  throw createError('CAMWIRE_ERR_CONFIG', `${w.lead} must be ${must}${w.tail}`);
}

/** checkValue validates one value for `key` from `origin`, turning numeric strings into numbers. */
export function checkValue(key: keyof Config, v: unknown, origin: Origin): Config[keyof Config] {
  const rule = SCHEMA[key];
  if (rule.type === 'zones') return parseMotionZones(v, describeOrigin(key, origin));
  if (rule.type === 'string') {
    if (typeof v !== 'string') fail(key, origin, v, 'a string');
    if (rule.oneOf && !rule.oneOf.includes(v)) fail(key, origin, v, rule.oneOf.join(' or '));
    return v;
  }
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  const range = rule.max === undefined ? (rule.min === 1 ? 'a positive integer' : `an integer ≥ ${rule.min}`) : `${rule.what === 'a port' ? 'a port' : 'an integer'} ${rule.min}–${rule.max}`;
  const why = rule.what && rule.what !== 'a port' ? `, ${rule.what}` : '';
  if (typeof n !== 'number' || !Number.isInteger(n) || n < rule.min || (rule.max !== undefined && n > rule.max)) fail(key, origin, v, range + why);
  return n;
}

/** CrossRule: a rule over several keys; `check` returns what is wrong, or undefined. */
interface CrossRule {
  keys: readonly (keyof Config)[];
  check(c: Partial<Config>): string | undefined;
}

/** CROSS_RULES: the rules that tie keys together. */
export const CROSS_RULES: readonly CrossRule[] = [
  {
    // A certificate is useless without its key and the other way round; HTTPS needs both.
    keys: ['tlsCert', 'tlsKey'],
    check: (c) => (!c.tlsCert !== !c.tlsKey ? 'HTTPS needs both --tls-cert FILE and --tls-key FILE (PEM), or neither for plain HTTP' : undefined),
  },
  {
    // Unauthenticated peers may hold maxConnections − reservedConnections slots: zero would lock everyone out.
    keys: ['reservedConnections', 'maxConnections'],
    check: (c) =>
      c.reservedConnections! >= c.maxConnections!
        ? `reservedConnections (${c.reservedConnections}) must be less than maxConnections (${c.maxConnections}), or no peer could connect to authenticate`
        : undefined,
  },
  {
    // Receivers refuse parity beyond udpMaxFecPercent (the FEC CPU bomb); a sender must stay within it.
    keys: ['udpFecPercent', 'udpMaxFecPercent'],
    check: (c) =>
      c.udpFecPercent! > c.udpMaxFecPercent! ? `udpFecPercent (${c.udpFecPercent}) must not exceed udpMaxFecPercent (${c.udpMaxFecPercent}): receivers refuse more parity than that` : undefined,
  },
  {
    // The backoff starts at the initial delay and doubles up to the cap; a cap below it is a typo.
    keys: ['reconnectInitialMs', 'reconnectMaxMs'],
    check: (c) => (c.reconnectInitialMs! > c.reconnectMaxMs! ? `reconnectInitialMs (${c.reconnectInitialMs}) must not exceed reconnectMaxMs (${c.reconnectMaxMs})` : undefined),
  },
];

/** describeOrigin names an origin in a sentence: "flag --tls-cert", "config file c.json". */
function describeOrigin(key: keyof Config, origin: Origin): string {
  switch (origin.from) {
    case 'flag':
      return SCHEMA[key].flag ? `flag ${SCHEMA[key].flag}` : 'option';
    case 'env':
      return `environment ${origin.name}`;
    case 'file':
      return `config file ${origin.path}`;
    default:
      return origin.from;
  }
}

/**
 * checkCrossRules applies each rule of CROSS_RULES that involves a key `c` holds (a key it
 * lacks takes its default); errors name each key with where its value came from.
 */
export function checkCrossRules(c: Partial<Config>, origins: Partial<Record<keyof Config, Origin>> = {}): void {
  for (const rule of CROSS_RULES) {
    if (!rule.keys.some((k) => c[k] !== undefined)) continue;
    const wrong = rule.check({ ...DEFAULTS, ...c });
    if (!wrong) continue;
    const from = rule.keys.map((k) => `${k}: ${describeOrigin(k, origins[k] ?? (c[k] === undefined ? { from: 'default' } : { from: 'option' }))}`).join(', ');
    throw createError('CAMWIRE_ERR_CONFIG', `${wrong} (${from})`);
  }
}

/**
 * validateConfig checks library options that did not come through loadConfig (each of `keys`
 * that `c` sets, against SCHEMA, then the cross-key rules among them), so an embedder gets the
 * same errors as the CLI. It returns only those keys.
 */
export function validateConfig(c: Partial<Config>, keys: readonly (keyof Config)[] = CONFIG_KEYS): Partial<Config> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (c[k] !== undefined) out[k] = checkValue(k, c[k], { from: 'option' });
  checkCrossRules(out as Partial<Config>);
  return out as Partial<Config>;
}
