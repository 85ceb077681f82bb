/**
 * authenticator: the one place every transport asks "may this peer do this?". It holds the
 * credentials (auth file users, the --token credential), the HTTP callback, the anonymous policy
 * and the limits, so TCP, UDP, HTTP and WebSocket answer the same question the same way.
 *
 * With NO auth configured (`enabled` false) a hub is open for watching and closed for writing:
 * anyone may view, play back, read the API and metrics; publishing and recording are allowed
 * only from this machine (loopback) and from `allowPublish` CIDRs. So `npx camwire demo` and a
 * local `camwire send` just work, and neither a stranger on the LAN nor a web page (browsers
 * cannot speak TCP/UDP, and the HTTP side has no publish route) can push video into the hub.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createLogger } from '../util/logger.js';
import { allows, type Action, type Rule } from './actions.js';
import { AddressList, isLoopback, normalizeAddress } from './address-policy.js';
import { AuthCallback, type CallbackOptions } from './callback.js';
import type { ChallengeForClient } from './client.js';
import type { Credential, Credentials } from './credentials.js';
import { hashSecret, scryptAsync } from './hash.js';
import { FailureLimiter, TtlCache } from './limiter.js';
import { fromTokenString, type Presented } from './presented.js';
import { safeEqual } from './safe-equal.js';
import { authMessage, DEFAULT_KDF, KEY_BYTES, keysFromSalted, MAX_NONCE_BYTES, NONCE_BYTES, proofMatches, SALT_BYTES, serverSignature, sessionKey, type StoredKeys } from './scram.js';
import type { AuthRequest, Decision } from './types.js';

const log = createLogger('auth');

/** Challenge is the hub's side of one handshake; send `challengeToWire(ch)` to the client, then verifyProof once. */
export interface Challenge extends ChallengeForClient {
  /** issuedAt (ms): a proof later than CHALLENGE_TTL_MS is refused. */
  readonly issuedAt: number;
  /** clientNonce, when the client sent it before the challenge (else pass it to verifyProof). */
  readonly clientNonce?: Buffer;
}

/** Authenticator: see the module comment. Methods never throw; refusals are Decisions. */
export interface Authenticator {
  /** enabled: false when no auth is configured (then the anonymous policy above applies). */
  readonly enabled: boolean;
  /** checkSecret checks a presented secret (HTTP/WS: Bearer, Basic, ?token=): constant-time, cached, rate-limited per address. */
  checkSecret(p: Presented | undefined, req: AuthRequest): Promise<Decision>;
  /** challenge starts a challenge–response for TCP and UDP: salt, cost and a server nonce; unknown users get a deterministic fake salt. */
  challenge(user: string, clientNonce?: Buffer): Challenge;
  /** verifyProof checks the client's proof for `ch` (once; within CHALLENGE_TTL_MS) and then the permission. */
  verifyProof(ch: Challenge, proof: Buffer, req: AuthRequest, clientNonce?: Buffer): Promise<Decision>;
  /** authorize checks a permission for an already-verified user (undefined = anonymous), asking the callback when one is set. */
  authorize(user: string | undefined, req: AuthRequest): Promise<Decision>;
  /** can is authorize without the callback, synchronously (e.g. a WS subscribe to another stream); anonymous publish needs `address`. */
  can(user: string | undefined, action: Action, stream?: string, address?: string): boolean;
}

/** AuthOptions configures createAuthenticator. */
export interface AuthOptions {
  /** credentials from an auth file (loadCredentials). */
  credentials?: Credentials;
  /** token: the --token credential: user '', every right. */
  token?: string;
  /** callback: the HTTP auth callback. */
  callback?: CallbackOptions;
  /** allowPublish: CIDRs whose peers may publish and record without credentials. */
  allowPublish?: readonly string[];
}

/** CHALLENGE_TTL_MS: a proof must follow its challenge within 30 s (longer than any handshake timeout). */
export const CHALLENGE_TTL_MS = 30_000;
/** MAX_SCRYPT_IN_FLIGHT: libuv's default pool has 4 threads; more concurrent checks only queue and hold memory. */
export const MAX_SCRYPT_IN_FLIGHT = 4;
/** VERIFIED_CACHE: 256 recently verified secrets for 5 minutes each. */
const VERIFIED_CACHE_ENTRIES = 256;
const VERIFIED_CACHE_MS = 5 * 60_000;

/** WRITE_ACTIONS change what the hub holds; without auth only local and allow-listed peers may do them. */
const WRITE_ACTIONS: ReadonlySet<Action> = new Set(['publish', 'record']);

interface ChallengeState {
  cred?: Credential | TokenCredential;
  used: boolean;
}

/** TokenCredential is the --token credential: every right, no rules. */
interface TokenCredential {
  name: '';
  token: string;
  keys: StoredKeys;
  admin: true;
}

class Auth implements Authenticator {
  readonly enabled: boolean;
  private readonly users: Map<string, Credential>;
  private readonly anonymousRules: Rule[];
  private readonly token?: TokenCredential;
  /** tokenAsUser: a --token shaped NAME:SECRET (no such user) as a TCP/UDP client presents it: user NAME, keys of SECRET. */
  private readonly tokenAsUser?: { user: string; cred: TokenCredential };
  private readonly callback?: AuthCallback;
  private readonly allowPublish: AddressList;
  private readonly failures = new FailureLimiter();
  private readonly verified = new TtlCache<string>(VERIFIED_CACHE_ENTRIES, VERIFIED_CACHE_MS);
  private readonly challenges = new WeakMap<Challenge, ChallengeState>();
  /** fakeSaltKey makes unknown users' salts deterministic per hub run, so probing a name twice gives the same answer. */
  private readonly fakeSaltKey = randomBytes(32);
  /** decoyKey: proofs for unknown users are checked against it, so they cost what real ones do. */
  private readonly decoyKey = randomBytes(KEY_BYTES);
  private scryptInFlight = 0;

  constructor(opts: AuthOptions, tokenKeys?: StoredKeys, split?: { user: string; keys: StoredKeys }) {
    this.users = opts.credentials?.users ?? new Map();
    this.anonymousRules = opts.credentials?.anonymous ?? [];
    if (opts.token && tokenKeys) this.token = { name: '', token: opts.token, keys: tokenKeys, admin: true };
    if (opts.token && split && !this.users.has(split.user)) this.tokenAsUser = { user: split.user, cred: { name: '', token: opts.token, keys: split.keys, admin: true } };
    if (opts.callback?.url) this.callback = new AuthCallback(opts.callback);
    this.allowPublish = new AddressList(opts.allowPublish ?? [], 'allowPublish');
    this.enabled = this.users.size > 0 || this.token !== undefined || this.callback !== undefined;
  }

  async checkSecret(p: Presented | undefined, req: AuthRequest): Promise<Decision> {
    if (p === undefined) return this.authorize(undefined, req);
    if (this.failures.blocked(req.address)) return tooMany(req.address);
    const cached = this.verified.get([p.user, p.secret]);
    if (cached !== undefined) return this.authorize(cached, req);
    const who = await this.verifySecret(p);
    if (who === 'busy') return { ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: 'the hub is busy checking other secrets; retry in a moment' };
    if (who === undefined) {
      if (this.callback && !this.users.has(p.user)) return this.callback.ask({ ...req, user: p.user, authenticated: false, secret: p.secret });
      this.failures.fail(req.address);
      return wrongSecret(req);
    }
    this.verified.set([p.user, p.secret], who);
    return this.authorize(who, req);
  }

  /** verifySecret returns the verified user name, undefined for a wrong one, 'busy' past the scrypt cap. */
  private async verifySecret(p: Presented): Promise<string | undefined | 'busy'> {
    if (this.token) {
      // A bare token, or a NAME:SECRET whose NAME is no user but is itself the token with a colon in it.
      if (p.user === '' && safeEqual(p.secret, this.token.token)) return '';
      if (p.user !== '' && !this.users.has(p.user) && safeEqual(`${p.user}:${p.secret}`, this.token.token)) return '';
    }
    const cred = this.users.get(p.user);
    if (!cred && this.callback) return undefined;
    if (this.scryptInFlight >= MAX_SCRYPT_IN_FLIGHT) return 'busy';
    this.scryptInFlight++;
    try {
      // Unknown users cost the same scrypt as known ones, so response time does not reveal names.
      const keys = cred?.keys ?? { salt: this.fakeSalt(p.user), kdf: DEFAULT_KDF, storedKey: this.decoyKey, serverKey: this.decoyKey };
      const derived = keysFromSalted(await scryptAsync(p.secret, keys.salt, keys.kdf));
      return safeEqual(derived.storedKey, keys.storedKey) && cred ? cred.name : undefined;
    } finally {
      this.scryptInFlight--;
    }
  }

  challenge(user: string, clientNonce?: Buffer): Challenge {
    const cred = this.isTokenUser(user) ? this.token : (this.users.get(user) ?? (user === this.tokenAsUser?.user ? this.tokenAsUser.cred : undefined));
    const keys = cred?.keys;
    const ch: Challenge = {
      user,
      salt: keys?.salt ?? this.fakeSalt(user),
      kdf: keys?.kdf ?? DEFAULT_KDF,
      serverNonce: randomBytes(NONCE_BYTES),
      issuedAt: Date.now(),
      ...(clientNonce ? { clientNonce } : {}),
    };
    this.challenges.set(ch, { cred, used: false });
    return ch;
  }

  async verifyProof(ch: Challenge, proof: Buffer, req: AuthRequest, clientNonce?: Buffer): Promise<Decision> {
    const st = this.challenges.get(ch);
    if (!st || st.used) return { ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: 'this challenge was already answered; start a new handshake' };
    st.used = true;
    if (this.failures.blocked(req.address)) return tooMany(req.address);
    if (Date.now() - ch.issuedAt > CHALLENGE_TTL_MS) return { ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: 'the proof came too late; start a new handshake' };
    const nonce = clientNonce ?? ch.clientNonce;
    if (!Buffer.isBuffer(nonce) || nonce.length < 8 || nonce.length > MAX_NONCE_BYTES || !Buffer.isBuffer(proof)) return wrongSecret(req);
    const msg = authMessage({ user: ch.user, salt: ch.salt, kdf: ch.kdf, serverNonce: ch.serverNonce, clientNonce: nonce });
    const storedKey = st.cred?.keys.storedKey ?? this.decoyKey;
    const ok = proofMatches(storedKey, proof, msg, safeEqual) && st.cred !== undefined;
    if (!ok || !st.cred) {
      this.failures.fail(req.address);
      return wrongSecret(req);
    }
    const d = await this.authorize(st.cred.name, req);
    if (!d.ok) return d;
    return { ...d, key: sessionKey(st.cred.keys.serverKey, msg), serverSignature: serverSignature(st.cred.keys.serverKey, msg) };
  }

  async authorize(user: string | undefined, req: AuthRequest): Promise<Decision> {
    if (user === undefined) {
      if (this.can(undefined, req.action, req.stream, req.address)) return { ok: true, user: '' };
      if (this.callback) return this.callback.ask({ ...req, user: '', authenticated: false });
      return this.refuseAnonymous(req);
    }
    if (this.isTokenUser(user)) return { ok: true, user };
    if (this.callback) return this.callback.ask({ ...req, user, authenticated: true });
    if (this.can(user, req.action, req.stream)) return { ok: true, user };
    return { ok: false, code: 'CAMWIRE_ERR_FORBIDDEN', message: `user "${user}" may not ${req.action}${req.stream !== undefined ? ` "${req.stream}"` : ''} (add a rule like ${req.action}:${req.stream ?? '*'} to its "allow" list)` };
  }

  can(user: string | undefined, action: Action, stream?: string, address?: string): boolean {
    if (user === undefined) {
      if (WRITE_ACTIONS.has(action) && address !== undefined && this.allowPublish.has(address)) return true;
      if (this.enabled) return allows(this.anonymousRules, action, stream);
      return !WRITE_ACTIONS.has(action) || (address !== undefined && isLoopback(address));
    }
    if (this.isTokenUser(user)) return true;
    const cred = this.users.get(user);
    return cred !== undefined && allows(cred.rules, action, stream);
  }

  private isTokenUser(user: string): boolean {
    return user === '' && this.token !== undefined && !this.users.has('');
  }

  private refuseAnonymous(req: AuthRequest): Decision {
    const addr = normalizeAddress(req.address);
    if (!this.enabled) {
      return { ok: false, code: 'CAMWIRE_ERR_FORBIDDEN', message: `${req.action === 'record' ? 'recording' : 'publishing'} from ${addr} refused: a hub without --auth takes video only from this machine; start the hub with --allow-publish ${suggestCidr(addr)} (or --auth FILE and give the sender a user)` };
    }
    return { ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: `this hub requires credentials to ${req.action}: ${howToPresent(req)}` };
  }

  private fakeSalt(user: string): Buffer {
    return createHmac('sha256', this.fakeSaltKey).update('fake salt\0').update(user).digest().subarray(0, SALT_BYTES);
  }
}

/** howToPresent says where a credential goes on this transport, for the refusal's one line. */
function howToPresent(req: AuthRequest): string {
  return req.transport === 'http' || req.transport === 'ws' ? 'send "Authorization: Bearer TOKEN" (or NAME:SECRET), Basic auth, or ?token=' : 'set CAMWIRE_TOKEN, --token-file FILE, or user:secret@ in the URL';
}

function wrongSecret(req: AuthRequest): Decision {
  return { ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: `wrong user or secret; check the credential (${howToPresent(req)})` };
}

function tooMany(address: string): Decision {
  return { ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: `too many wrong secrets from ${normalizeAddress(address)}; wait a minute and check the credentials` };
}

/** suggestCidr proposes the /24 (IPv4) or /64 (IPv6) around an address for the refusal message. */
function suggestCidr(addr: string): string {
  const m = /^(\d+\.\d+\.\d+)\.\d+$/.exec(addr);
  if (m) return `${m[1]}.0/24`;
  return addr.includes(':') ? `${addr.split(':').slice(0, 4).join(':')}::/64` : addr;
}

/**
 * createAuthenticator builds the hub's Authenticator. Async because the --token credential's
 * SCRAM keys are derived once here (scrypt, ~50–100 ms), so TCP and UDP can challenge it too.
 */
export async function createAuthenticator(opts: AuthOptions = {}): Promise<Authenticator> {
  const tokenKeys = opts.token ? await hashSecret(opts.token, DEFAULT_KDF, randomBytes(SALT_BYTES)) : undefined;
  // A token shaped NAME:SECRET reaches TCP/UDP as user NAME proving SECRET (fromTokenString splits it there); HTTP compares it whole.
  const asUser = opts.token ? fromTokenString(opts.token) : undefined;
  const split = asUser && asUser.user !== '' ? { user: asUser.user, keys: await hashSecret(asUser.secret, DEFAULT_KDF, randomBytes(SALT_BYTES)) } : undefined;
  const a = new Auth(opts, tokenKeys, split);
  if (a.enabled) log.debug(`auth on: ${opts.credentials?.users.size ?? 0} users${opts.token ? ', --token' : ''}${opts.callback ? ', HTTP callback' : ''}`);
  return a;
}
