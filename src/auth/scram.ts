/**
 * scram: the SCRAM-SHA-256-style key schedule and proofs (RFC 5802 / 7677), with scrypt in place
 * of PBKDF2. Pure: no sockets, no state.
 *
 *   SaltedSecret    = scrypt(secret, salt, N, r, p)           (client only, ~50 ms, cached)
 *   ClientKey       = HMAC(SaltedSecret, "Client Key")
 *   StoredKey       = SHA-256(ClientKey)                       (in the credentials file)
 *   ServerKey       = HMAC(SaltedSecret, "Server Key")         (in the credentials file)
 *   AuthMessage     = "camwire-scram-1" | user | salt | N,r,p | serverNonce | clientNonce
 *                     (each field length-prefixed, so no two different tuples encode the same)
 *   ClientSignature = HMAC(StoredKey, AuthMessage)
 *   ClientProof     = ClientKey XOR ClientSignature            (the only thing the client sends)
 *   ServerSignature = HMAC(ServerKey, AuthMessage)             (lets the client check the hub)
 *   SessionKey      = HMAC(ServerKey, "camwire session" | AuthMessage)
 *                     (both ends know it afterwards; UDP tags its control messages with it)
 *
 * The server checks SHA-256(ClientProof XOR ClientSignature) == StoredKey. It never learns the
 * secret, nothing on the wire replays (fresh nonces on both sides), and the file alone does not
 * yield a proof: that needs ClientKey, which is behind SHA-256. The server side costs two HMACs
 * and a hash, so a flood of handshakes cannot turn scrypt into a CPU bomb on the hub.
 */
import { createHash, createHmac, scryptSync } from 'node:crypto';
import { createError } from '../util/errors.js';

/** KdfParams: scrypt cost parameters, stored per credential and sent in each challenge. */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/**
 * DEFAULT_KDF: N=2^15, r=8, p=1 costs 32 MiB and ~50–100 ms once per client connection
 * (OWASP's 2023 minimum is N=2^17 for interactive logins; a camera reconnecting every few
 * seconds on a small board needs it cheaper, and the client caches the result per salt).
 */
export const DEFAULT_KDF: Readonly<KdfParams> = Object.freeze({ N: 1 << 15, r: 8, p: 1 });

/** KDF_LIMITS: the costs a client accepts from a challenge, so a hostile hub cannot make it allocate gigabytes. */
export const KDF_LIMITS = { minN: 1 << 10, maxN: 1 << 20, maxR: 32, maxP: 16, maxMemBytes: 256 * 1024 * 1024 } as const;

/** SALT_BYTES: 16 bytes of salt, as RFC 7677 recommends at least. */
export const SALT_BYTES = 16;
/** NONCE_BYTES: each side's nonce is 18 random bytes (24 base64 characters). */
export const NONCE_BYTES = 18;
/** MAX_NONCE_BYTES: a nonce from the wire longer than this is refused. */
export const MAX_NONCE_BYTES = 64;
/** KEY_BYTES: SHA-256 output size: keys, proofs and signatures. */
export const KEY_BYTES = 32;

/** StoredKeys is what the hub keeps for one credential (never the secret). */
export interface StoredKeys {
  salt: Buffer;
  kdf: KdfParams;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** ClientKeys is what a client derives from its secret for one salt. */
export interface ClientKeys {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** checkKdf throws a CAMWIRE_ERR_CONFIG (`where` says whose) unless `k` is within KDF_LIMITS. */
export function checkKdf(k: KdfParams, where: string): void {
  const okN = Number.isInteger(k.N) && k.N >= KDF_LIMITS.minN && k.N <= KDF_LIMITS.maxN && (k.N & (k.N - 1)) === 0;
  const okR = Number.isInteger(k.r) && k.r >= 1 && k.r <= KDF_LIMITS.maxR;
  const okP = Number.isInteger(k.p) && k.p >= 1 && k.p <= KDF_LIMITS.maxP;
  if (!okN || !okR || !okP || kdfMemory(k) > KDF_LIMITS.maxMemBytes) {
    throw createError('CAMWIRE_ERR_CONFIG', `${where}: scrypt cost N=${k.N} r=${k.r} p=${k.p} is outside the accepted range (N a power of 2 from ${KDF_LIMITS.minN} to ${KDF_LIMITS.maxN}, r ≤ ${KDF_LIMITS.maxR}, p ≤ ${KDF_LIMITS.maxP}, ≤ 256 MiB)`);
  }
}

/** kdfMemory is the memory scrypt needs for `k` (128·N·r bytes plus the p blocks). */
export function kdfMemory(k: KdfParams): number {
  return 128 * k.N * k.r + 128 * k.r * k.p;
}

/** saltedSecret runs scrypt; the caller has checked `kdf`. Synchronous: clients only, once per salt. */
export function saltedSecret(secret: string, salt: Buffer, kdf: KdfParams): Buffer {
  return scryptSync(secret.normalize('NFC'), salt, KEY_BYTES, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: kdfMemory(kdf) + 1024 * 1024 });
}

/** keysFromSalted derives ClientKey, StoredKey and ServerKey from a salted secret. */
export function keysFromSalted(salted: Buffer): ClientKeys {
  const clientKey = hmac(salted, 'Client Key');
  return { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

/** AuthMessageParts are the fields both sides bind into the proof. */
export interface AuthMessageParts {
  user: string;
  salt: Buffer;
  kdf: KdfParams;
  serverNonce: Buffer;
  clientNonce: Buffer;
}

/** authMessage encodes the parts unambiguously (u16 length before each field). */
export function authMessage(m: AuthMessageParts): Buffer {
  const fields = [Buffer.from('camwire-scram-1'), Buffer.from(m.user, 'utf8'), m.salt, Buffer.from(`${m.kdf.N},${m.kdf.r},${m.kdf.p}`), m.serverNonce, m.clientNonce];
  return Buffer.concat(fields.flatMap((f) => [u16(f.length), f]));
}

/** proofFor computes ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage). */
export function proofFor(keys: ClientKeys, msg: Buffer): Buffer {
  return xor(keys.clientKey, hmac(keys.storedKey, msg));
}

/** proofMatches is the server's check: SHA-256(proof XOR HMAC(StoredKey, msg)) equals StoredKey. */
export function proofMatches(storedKey: Buffer, proof: Buffer, msg: Buffer, equal: (a: Buffer, b: Buffer) => boolean): boolean {
  if (proof.length !== KEY_BYTES) return false;
  return equal(sha256(xor(proof, hmac(storedKey, msg))), storedKey);
}

/** serverSignature = HMAC(ServerKey, AuthMessage): sent back so the client knows the hub holds its keys. */
export function serverSignature(serverKey: Buffer, msg: Buffer): Buffer {
  return hmac(serverKey, msg);
}

/** sessionKey = HMAC(ServerKey, "camwire session" | AuthMessage): a per-session key both ends share after the proof. */
export function sessionKey(serverKey: Buffer, msg: Buffer): Buffer {
  return createHmac('sha256', serverKey).update('camwire session').update(msg).digest();
}

/** hmac is HMAC-SHA-256. */
export function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** sha256 hashes bytes. */
export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(Math.min(n, 0xffff));
  return b;
}
