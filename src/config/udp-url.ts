/**
 * udp-url: the UDP stream URLs users type.
 *
 * ```
 * udp://HOST:PORT              send straight to one receiver (unicast) — or, for a group
 * udp://GROUP:PORT             address (224.0.0.0/4, ff00::/8), to every receiver in the group
 * udp://HOST:PORT/NAME         publish stream NAME into a hub (camwire serve --udp), or view it
 * udp://@:PORT                 receive: bind PORT on every interface
 * udp://@ADDR:PORT             receive on one local address, or join group ADDR
 * ```
 */
import { isIP } from 'node:net';
import { createError } from '../util/errors.js';
import { hostForUrl, parseStreamUrl, type StreamUrl } from './url.js';

/** UdpUrl is a parsed UDP URL: `bind` for `@` (receive here), `multicast` for a group address. */
export interface UdpUrl extends StreamUrl {
  bind: boolean;
  multicast: boolean;
}

/** isUdpUrl tells whether `text` is a udp:// URL (the UDP transport), by its scheme alone. */
export function isUdpUrl(text: string): boolean {
  return /^udp:/i.test(text);
}

/** isMulticastAddress tells whether `a` is an IPv4 (224.0.0.0/4) or IPv6 (ff00::/8) multicast address. */
export function isMulticastAddress(a: string): boolean {
  if (isIP(a) === 4) {
    const first = Number(a.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return isIP(a) === 6 && /^ff/i.test(a);
}

/** parseUdpUrl parses a udp:// URL (see the file comment); the host is '' for `udp://@:PORT`. */
export function parseUdpUrl(text: string): UdpUrl {
  const bind = /^udp:\/\/@/i.test(text);
  let t = bind ? text.replace(/^udp:\/\/@/i, 'udp://') : text;
  const anyHost = /^udp:\/\/:/i.test(t);
  if (anyHost) t = t.replace(/^udp:\/\//i, 'udp://0.0.0.0');
  const u = parseStreamUrl(t, ['udp']);
  if (anyHost && !bind) throw createError('CAMWIRE_ERR_BAD_URL', `"${text}" has no host; to receive on every interface write udp://@:${u.port}`);
  if (u.listen) throw createError('CAMWIRE_ERR_BAD_URL', `"${text}": ?listen is for tcp; a UDP receiver binds with udp://@ADDR:PORT`);
  const host = anyHost ? '' : u.host;
  const multicast = isMulticastAddress(host);
  if (multicast && u.stream) throw createError('CAMWIRE_ERR_BAD_URL', `"${text}": a multicast group carries one stream and names none; drop "/${u.stream}"`);
  const shown = bind ? `udp://@${host ? hostForUrl(host) : ''}:${u.port}${u.stream ? `/${u.stream}` : ''}` : u.text;
  return { ...u, host, bind, multicast, text: shown };
}
