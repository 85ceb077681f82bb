/**
 * tls: a throw-away self-signed certificate for HTTPS tests, made by openssl.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requireTool } from './tools.js';

/** TestCert is a PEM certificate and key in a temp dir; remove() deletes them. */
export interface TestCert {
  cert: string;
  key: string;
  remove(): void;
}

/** selfSignedCert makes a certificate for `cn`, or returns undefined (skip) where openssl is missing outside CI. */
export function selfSignedCert(t: TestContext, cn = 'localhost'): TestCert | undefined {
  if (!requireTool(t, 'openssl')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'camwire-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${cn}`, '-days', '1'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('openssl could not make a test certificate');
  return { cert, key, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
