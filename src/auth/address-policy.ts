/**
 * address-policy: which peer addresses count as "this machine" and which the user has listed
 * (`allowPublish` CIDRs). Addresses arrive as node reports them: `127.0.0.1`, `::1`,
 * `::ffff:192.168.1.5` (an IPv4 peer on a dual-stack socket).
 */
import { BlockList, isIP } from 'node:net';
import { createError } from '../util/errors.js';

/** normalizeAddress strips the IPv4-mapped IPv6 prefix and any zone id. */
export function normalizeAddress(address: string): string {
  const a = address.replace(/%.*$/, '');
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return m ? m[1] : a;
}

/** isLoopback tells whether `address` is 127.0.0.0/8 or ::1. */
export function isLoopback(address: string): boolean {
  const a = normalizeAddress(address);
  return /^127\.\d+\.\d+\.\d+$/.test(a) || a === '::1';
}

/** AddressList matches addresses against a list of CIDRs (`192.168.1.0/24`, `fd00::/8`) or single addresses. */
export class AddressList {
  private readonly list = new BlockList();
  /** entries are the CIDRs as given, for messages. */
  readonly entries: readonly string[];

  /** constructor parses `cidrs`; `where` names the key or flag in the error. */
  constructor(cidrs: readonly string[], where: string) {
    this.entries = cidrs;
    for (const c of cidrs) {
      const [addr, bits, extra] = c.trim().split('/');
      const type = isIP(addr ?? '');
      const max = type === 4 ? 32 : 128;
      const n = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
      if (type === 0 || extra !== undefined || n < 0 || n > max) {
        throw createError('CAMWIRE_ERR_CONFIG', `${where}: "${c.slice(0, 60)}" is not an address or CIDR like 192.168.1.0/24 or fd00::/8`);
      }
      this.list.addSubnet(addr, n, type === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** has tells whether `address` falls in any listed range. */
  has(address: string): boolean {
    const a = normalizeAddress(address);
    const type = isIP(a);
    return type !== 0 && this.list.check(a, type === 4 ? 'ipv4' : 'ipv6');
  }
}

/** parseAddressList splits a comma-separated CIDR list (config `allowPublish`, `--allow-publish`). */
export function parseAddressList(text: string, where: string): AddressList {
  return new AddressList(text.split(',').map((s) => s.trim()).filter((s) => s !== ''), where);
}
