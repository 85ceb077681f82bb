/**
 * allowed-hosts: which names a request's Host header may carry (DNS rebinding protection).
 *
 * A page on attacker.example can make its own name resolve to this hub's LAN address; the
 * browser then sends the hub requests whose Host and Origin both say attacker.example, so an
 * Origin check alone lets them through and the page reads every camera. Real visitors reach the
 * hub by one of its addresses or names, so only those are allowed: any IP literal (a rebinding
 * page cannot have one as its origin), `localhost` and `*.localhost`, this machine's host name
 * (with and without its domain, and as `NAME.local` for mDNS) and the names the user listed
 * (config key `allowedHosts`, comma-separated; `*.example.net` allows every subdomain).
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';

/** AllowedHosts answers "may a request for this Host be served?"; see the file comment. */
export class AllowedHosts {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];

  /** `configured`: the allowedHosts config value; `machine`: this machine's host name (tests pass their own). */
  constructor(configured = '', machine: string = hostname()) {
    const host = machine.toLowerCase();
    const short = host.split('.')[0];
    for (const n of [host, short, `${short}.local`]) if (n) this.names.add(n);
    for (const raw of configured.split(',')) {
      const n = raw.trim().toLowerCase().replace(/\.$/, '');
      if (!n) continue;
      if (n.startsWith('*.')) this.suffixes.push(n.slice(1));
      else this.names.add(n);
    }
  }

  /**
   * allows tells whether `host` (a Host header: name or IP literal, optional `:port`) may be
   * served. A request without Host (HTTP/1.0) is allowed: browsers always send one.
   */
  allows(host: string | undefined): boolean {
    if (host === undefined) return true;
    const name = hostOnly(host);
    if (name === undefined) return false;
    if (isIP(name) !== 0) return true;
    if (name === 'localhost' || name.endsWith('.localhost')) return true;
    return this.names.has(name) || this.suffixes.some((s) => name.endsWith(s) && name.length > s.length);
  }

  /** list names the allowed names for error messages (IP literals and localhost are implied). */
  list(): string {
    return [...this.names, ...this.suffixes.map((s) => `*${s}`)].join(', ');
  }
}

/** hostOnly strips the port and brackets from a Host header and lower-cases it; undefined if malformed. */
export function hostOnly(host: string): string | undefined {
  const h = host.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h) ?? /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  if (!m) return undefined;
  return m[1].replace(/\.$/, '');
}
