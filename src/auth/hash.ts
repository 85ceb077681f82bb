/**
 * hash: turning a secret into the keys the hub stores, and making new secrets.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { DEFAULT_KDF, kdfMemory, keysFromSalted, KEY_BYTES, SALT_BYTES, type KdfParams, type StoredKeys } from './scram.js';

/** hashSecret derives StoredKey and ServerKey for `secret` with a fresh salt (async scrypt: off the event loop). */
export async function hashSecret(secret: string, kdf: KdfParams = DEFAULT_KDF, salt: Buffer = randomBytes(SALT_BYTES)): Promise<StoredKeys> {
  const salted = await scryptAsync(secret, salt, kdf);
  const { storedKey, serverKey } = keysFromSalted(salted);
  return { salt, kdf: { ...kdf }, storedKey, serverKey };
}

/** scryptAsync runs scrypt on libuv's thread pool. */
export function scryptAsync(secret: string, salt: Buffer, kdf: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, KEY_BYTES, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: kdfMemory(kdf) + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** generateSecret returns 32 random bytes as base64url (43 characters, 256 bits): nothing to guess, nothing to type. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
