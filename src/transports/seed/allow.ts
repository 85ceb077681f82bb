/**
 * allow: the `allow=CIDR[,CIDR…]` query of a listening seed URL. The old formats carry no
 * credentials, so the network address is the only thing a listener can check.
 */
import { BlockList, isIP } from 'node:net';
import { createError } from '../../util/errors.js';

/** AllowList tells whether a peer address may connect; `undefined` means everyone may. */
export type AllowList = ((address: string) => boolean) | undefined;

/** parseAllow parses "10.0.0.0/8,192.168.1.7,::1/128" (a bare address is a /32 or /128). */
export function parseAllow(text: string | null | undefined): AllowList {
  if (text === null || text === undefined) return undefined;
  const list = new BlockList();
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits, extra] = item.split('/');
    const family = isIP(addr);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32) || (bits !== undefined && !/^\d+$/.test(bits))) {
      throw createError('CAMWIRE_ERR_BAD_URL', `allow=${text}: "${item}" is not an address or CIDR block (e.g. allow=192.168.1.0/24,10.0.0.7)`);
    }
    list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return (address) => {
    // An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d.
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return v4 ? list.check(v4, 'ipv4') : list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  };
}
