/**
 * auth: credentials files for tests, hashed with a cheap scrypt cost so tests stay fast (the
 * cost travels in each entry, so the real code paths run unchanged).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSecret, hashSecret, type KdfParams } from '../../src/auth/index.js';

/** TEST_KDF: scrypt's minimum accepted cost (1 MiB, ~2 ms). */
export const TEST_KDF: KdfParams = { N: 1024, r: 8, p: 1 };

/** TestUser is one entry: name, secret (clear, for the client) and rules. */
export interface TestUser {
  name: string;
  secret: string;
  allow: string[];
}

/** credentialsJson returns the text of an auth file for `users`. */
export async function credentialsJson(users: TestUser[], anonymous?: string[]): Promise<string> {
  const out: Record<string, { allow: string[]; secret: string }> = {};
  for (const u of users) out[u.name] = { allow: u.allow, secret: formatSecret(await hashSecret(u.secret, TEST_KDF)) };
  return JSON.stringify({ users: out, ...(anonymous ? { anonymous } : {}) }, null, 2);
}

/** writeCredentials writes an auth file into a fresh temp dir and returns its path. */
export async function writeCredentials(users: TestUser[], anonymous?: string[]): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'camwire-auth-')), 'auth.json');
  writeFileSync(file, await credentialsJson(users, anonymous), { mode: 0o600 });
  return file;
}
