/**
 * cert: `camwire cert` — a self-signed certificate and key for a hub on a LAN, valid for this
 * machine's names and addresses, for `serve --tls-cert/--tls-key` (HTTPS, WSS, tcps://).
 *
 * It runs the openssl binary rather than an npm package: node:crypto makes keys but cannot
 * issue X.509 certificates, the JavaScript implementations (node-forge, which `selfsigned`
 * wraps) are a large crypto dependency with a history of signature-parsing advisories, and
 * openssl is already on every Linux and macOS machine, maintained and patched by the OS.
 * Where it is missing (plain Windows) the error says how to get it.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createError } from '../../util/errors.js';
import { COMMON_HELP, parse, parseNumber } from '../args.js';
import type { Command } from './command.js';
import { help } from './serve.js';

const usage = `Usage: camwire cert [--out DIR] [--name NAME]... [--days N] [--force]

Makes a self-signed certificate (cert.pem) and private key (key.pem, mode 600) for this hub,
valid for its host name, NAME.local, localhost and every address of its interfaces, then prints
its SHA-256 fingerprint. Use them with:
  camwire serve --tls-cert DIR/cert.pem --tls-key DIR/key.pem
Browsers warn once about a self-signed certificate; camwire clients can pin the fingerprint.

Options:
  --out DIR      where to write cert.pem and key.pem (default: current directory)
  --name NAME    an extra DNS name or IP address to include (repeatable)
  --days N       validity in days (default 825, the longest browsers accept)
  --force        overwrite existing files
  --openssl PATH the openssl binary (default: openssl on PATH)
${COMMON_HELP}`;

/** CERT_DAYS: 825 days is the longest validity Apple platforms accept for a TLS server certificate. */
const CERT_DAYS = 825;

/** cert is the `camwire cert` command. */
export const cert: Command = {
  name: 'cert',
  summary: 'make a self-signed TLS certificate for this hub\'s names and addresses',
  usage,
  async run(argv) {
    const { values, positionals } = parse('cert', argv, {
      out: { type: 'string' },
      name: { type: 'string', multiple: true },
      days: { type: 'string' },
      force: { type: 'boolean' },
      openssl: { type: 'string' },
    });
    if (values.help) return help(usage);
    if (positionals.length) throw createError('CAMWIRE_ERR_CONFIG', `unexpected "${positionals[0]}" (see "camwire cert --help")`);
    const dir = (values.out as string | undefined) ?? '.';
    const days = parseNumber(values.days, '--days', CERT_DAYS, 1);
    const extra = (values.name ?? []) as unknown as string[];
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    for (const f of [certFile, keyFile]) {
      if (existsSync(f) && !values.force) throw createError('CAMWIRE_ERR_CONFIG', `${f} exists; pass --force to replace it, or --out DIR for another place`);
    }
    mkdirSync(dir, { recursive: true });
    const sans = subjectAltNames(extra);
    const openssl = (values.openssl as string | undefined) ?? 'openssl';
    const r = spawnSync(openssl, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', String(Math.floor(days)), '-subj', `/CN=${cnOf(sans)}`,
      '-addext', `subjectAltName=${sans.join(',')}`,
      '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature',
      '-addext', 'extendedKeyUsage=serverAuth',
    ], { encoding: 'utf8' });
    if (r.error) throw createError('CAMWIRE_ERR_CONFIG', `cannot run ${openssl} (${(r.error as NodeJS.ErrnoException).code}): install OpenSSL (Windows: it comes with Git for Windows) or pass --openssl PATH`);
    if (r.status !== 0) throw createError('CAMWIRE_ERR_CONFIG', `${openssl} failed (OpenSSL 1.1.1 or later is needed): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
    chmodSync(keyFile, 0o600);
    const x = new X509Certificate(readFileSync(certFile));
    process.stdout.write(
      [
        `wrote ${certFile} and ${keyFile} (valid until ${x.validTo})`,
        `names: ${x.subjectAltName}`,
        `SHA-256 fingerprint: ${x.fingerprint256}`,
        `use: camwire serve --tls-cert ${certFile} --tls-key ${keyFile}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};

/** subjectAltNames lists DNS:host, DNS:host.local, DNS:localhost, every interface address, and the extras. */
export function subjectAltNames(extra: readonly string[] = []): string[] {
  const names = new Set<string>();
  const host = hostname();
  const add = (n: string) => {
    const v = n.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    if (!v) return;
    if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(v)) throw createError('CAMWIRE_ERR_CONFIG', `--name "${n.slice(0, 60)}" is not a host name or IP address`);
    names.add(/^[\d.]+$/.test(v) || v.includes(':') ? `IP:${v}` : `DNS:${v}`);
  };
  if (host) {
    add(host);
    if (!host.includes('.')) add(`${host}.local`);
  }
  add('localhost');
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) add(a.address);
  add('127.0.0.1');
  add('::1');
  extra.forEach(add);
  return [...names];
}

function cnOf(sans: string[]): string {
  const dns = sans.find((s) => s.startsWith('DNS:'));
  return (dns ?? 'DNS:camwire').slice(4);
}
