/**
 * tls: the certificate an HTTPS hub serves. Browsers give WebCodecs (H.264 tiles) only to secure
 * pages, so a viewer opened on a LAN address needs https; it also keeps tokens off the wire.
 */
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../config/schema.js';
import { createError } from '../../util/errors.js';

/** TlsFiles are the PEM files named by --tls-cert and --tls-key ('' = plain HTTP). */
export interface TlsFiles {
  tlsCert?: string;
  tlsKey?: string;
}

/** loadTls reads the certificate and key, or returns undefined for plain HTTP; both or neither (config/schema's rule). */
export function loadTls(files: TlsFiles): { cert: Buffer; key: Buffer } | undefined {
  const { tlsCert = '', tlsKey = '' } = files;
  validateConfig({ tlsCert, tlsKey });
  if (!tlsCert) return undefined;
  const read = (path: string, flag: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw createError('CAMWIRE_ERR_CONFIG', `cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  };
  return { cert: read(tlsCert, '--tls-cert'), key: read(tlsKey, '--tls-key') };
}
