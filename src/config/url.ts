/**
 * url: parses the stream URLs users type: `tcp://HOST:PORT/NAME`, `tcp://HOST:PORT?listen`,
 * `tcp://HOST:PORT?wire=len-jpeg` (a foreign wire format).
 */
import { createError } from '../util/errors.js';
import { DEFAULTS } from './defaults.js';

/** StreamUrl is a parsed stream URL. */
export interface StreamUrl {
  scheme: string;
  host: string;
  port: number;
  /** stream is the name after the first slash; '' when the URL names none. */
  stream: string;
  /** listen: `?listen` — bind to host:port and wait for peers instead of connecting. */
  listen: boolean;
  /** wire: `?wire=NAME` — a foreign wire format (see transports/seed); '' for camwire's own protocol. */
  wire: string;
  params: URLSearchParams;
  /** text is the URL as given, for messages (any password removed). */
  text: string;
}

/** DEFAULT_PORTS gives the port used when a URL has none (the tcpPort and udpPort defaults). */
export const DEFAULT_PORTS: Record<string, number> = { tcp: DEFAULTS.tcpPort, udp: DEFAULTS.udpPort };

/** parseStreamUrl parses `text`, accepting only the schemes listed in `schemes`. */
export function parseStreamUrl(text: string, schemes: string[] = ['tcp']): StreamUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw createError('CAMWIRE_ERR_BAD_URL', `"${text}" is not a URL; expected e.g. tcp://127.0.0.1:8089/lab`);
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    throw createError('CAMWIRE_ERR_BAD_URL', `"${text}": unsupported scheme "${scheme}" (use ${schemes.map((s) => s + '://').join(' or ')})`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw createError('CAMWIRE_ERR_BAD_URL', `"${text}" has no host; expected e.g. ${scheme}://127.0.0.1:8089/lab`);
  const port = u.port === '' ? DEFAULT_PORTS[scheme] : Number(u.port);
  if (port === undefined) throw createError('CAMWIRE_ERR_BAD_URL', `"${text}" needs a port`);
  const stream = decodeURIComponent(u.pathname.replace(/^\/+/, '').replace(/\/+$/, ''));
  const listen = u.searchParams.has('listen');
  const wire = u.searchParams.get('wire') ?? '';
  u.password = '';
  return { scheme, host, port, stream, listen, wire, params: u.searchParams, text: u.toString() };
}

/** hostForUrl brackets IPv6 literals for use in URLs and messages. */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
