/**
 * client: the client half of the challenge–response. A client never sends its secret: it
 * answers the hub's challenge with a proof (see scram.ts), and can check the hub's signature.
 *
 * scrypt runs here, once per (secret, salt, cost): the result is cached, so a camera that
 * reconnects every few seconds pays ~50–100 ms only the first time.
 */
import { randomBytes } from 'node:crypto';
import { createError } from '../util/errors.js';
import { safeEqual } from './safe-equal.js';
import { authMessage, checkKdf, keysFromSalted, MAX_NONCE_BYTES, NONCE_BYTES, proofFor, saltedSecret, serverSignature, sessionKey, sha256, type ClientKeys, type KdfParams } from './scram.js';

/** ChallengeForClient is what the hub sends a client: everything it needs to compute its proof. */
export interface ChallengeForClient {
  /** user the challenge is for (the client's own name; '' for the --token credential). */
  user: string;
  salt: Buffer;
  kdf: KdfParams;
  serverNonce: Buffer;
}

/** ChallengeWire is ChallengeForClient as JSON-safe fields for a control message. */
export interface ChallengeWire {
  salt: string;
  n: number;
  r: number;
  p: number;
  nonce: string;
}

/** ClientSession is everything a client gets from answering one challenge. */
export interface ClientSession {
  /** proof to send (32 bytes). */
  proof: Buffer;
  /** key both ends share after a successful proof (UDP tags control messages with it). */
  key: Buffer;
  /** verifyServer tells whether the hub's signature proves it holds this credential's keys. */
  verifyServer(signature: Buffer): boolean;
}

/** newNonce returns a fresh random nonce. */
export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/** clientProof computes the proof for `ch` with the client's own nonce (the brief's API; see clientSession for the key too). */
export function clientProof(secret: string, ch: ChallengeForClient, clientNonce: Buffer): Buffer {
  return clientSession(secret, ch, clientNonce).proof;
}

/** clientSession computes the proof, the session key and a checker for the hub's signature. */
export function clientSession(secret: string, ch: ChallengeForClient, clientNonce: Buffer): ClientSession {
  checkKdf(ch.kdf, 'the hub\'s challenge');
  const keys = derive(secret, ch.salt, ch.kdf);
  const msg = authMessage({ user: ch.user, salt: ch.salt, kdf: ch.kdf, serverNonce: ch.serverNonce, clientNonce });
  return {
    proof: proofFor(keys, msg),
    key: sessionKey(keys.serverKey, msg),
    verifyServer: (sig) => safeEqual(sig, serverSignature(keys.serverKey, msg)),
  };
}

/** challengeToWire encodes a challenge for a JSON control message. */
export function challengeToWire(ch: ChallengeForClient): ChallengeWire {
  return { salt: ch.salt.toString('base64'), n: ch.kdf.N, r: ch.kdf.r, p: ch.kdf.p, nonce: ch.serverNonce.toString('base64') };
}

/**
 * challengeFromWire validates a challenge read off the wire (any JSON value) for `user`. It
 * throws CAMWIRE_ERR_MALFORMED_MESSAGE for bad fields and for scrypt costs outside KDF_LIMITS, so
 * a hostile hub cannot make the client spend gigabytes or minutes.
 */
export function challengeFromWire(o: unknown, user: string): ChallengeForClient {
  const bad = (why: string) => createError('CAMWIRE_ERR_MALFORMED_MESSAGE', `the hub's challenge ${why}`);
  if (typeof o !== 'object' || o === null) throw bad('is not an object');
  const w = o as Record<string, unknown>;
  const salt = b64(w.salt);
  const serverNonce = b64(w.nonce);
  if (!salt || salt.length < 8 || salt.length > 64) throw bad('has no usable salt');
  if (!serverNonce || serverNonce.length < 8 || serverNonce.length > MAX_NONCE_BYTES) throw bad('has no usable nonce');
  const kdf = { N: Number(w.n), r: Number(w.r), p: Number(w.p) };
  try {
    checkKdf(kdf, 'cost');
  } catch (e) {
    throw bad((e as Error).message);
  }
  return { user, salt, kdf, serverNonce };
}

function b64(v: unknown): Buffer | undefined {
  return typeof v === 'string' && v.length <= 128 && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? Buffer.from(v, 'base64') : undefined;
}

/** CACHE_ENTRIES: a client talks to a handful of hubs; 16 derived keys cover them. */
const CACHE_ENTRIES = 16;
const cache = new Map<string, ClientKeys>();

function derive(secret: string, salt: Buffer, kdf: KdfParams): ClientKeys {
  // Keyed by a hash of secret and salt, so the cache holds no secret in the clear.
  const id = sha256(Buffer.concat([Buffer.from(secret), Buffer.from([0]), salt, Buffer.from(`${kdf.N},${kdf.r},${kdf.p}`)])).toString('base64');
  const hit = cache.get(id);
  if (hit) return hit;
  const keys = keysFromSalted(saltedSecret(secret, salt, kdf));
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(id, keys);
  return keys;
}
