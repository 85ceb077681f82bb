/**
 * udp-options: the flags that tune camwire's UDP transport, shared by send, view and serve.
 */
import type { Config } from '../config/defaults.js';
import { DEFAULTS } from '../config/defaults.js';
import type { UdpChoices } from '../transports/udp/options.js';
import type { Parsed } from './args.js';

/** UDP_OPTIONS: the UDP flags (parseArgs table). */
export const UDP_OPTIONS = {
  mtu: { type: 'string' },
  fec: { type: 'string' },
  'pace-mbps': { type: 'string' },
  'fec-code': { type: 'string' },
  'no-nack': { type: 'boolean' },
  ttl: { type: 'string' },
  iface: { type: 'string' },
  'no-loopback': { type: 'boolean' },
} as const;

/** UDP_HELP documents UDP_OPTIONS for --help. */
export const UDP_HELP = `
UDP options (udp:// URLs; docs/protocol.md has the wire format):
  --mtu BYTES       path MTU; datagrams are at most MTU-48 bytes (default ${DEFAULTS.udpMtu}, Ethernet)
  --fec PCT|auto    parity datagrams per 100 data datagrams, 0 = off (default ${DEFAULTS.udpFecPercent});
                    auto: sized from the receivers' loss reports (the default for multicast)
  --fec-code rs|xor rs repairs any losses up to the parity count; xor is cheaper (default ${DEFAULTS.udpFecCode})
  --no-nack         never ask for lost datagrams again (parity only)
  --pace-mbps N     send each frame at N Mbit/s after a 64 KiB burst, 0 = at once (default ${DEFAULTS.udpPaceMbps})
  --ttl N           multicast hops (default ${DEFAULTS.udpTtl}: this subnet only)
  --iface ADDR      local interface address for multicast (IPv6: ::%name)
  --no-loopback     multicast: do not deliver to receivers on this host`;

/** udpConfigFlags maps the UDP flags to Config keys, for configFrom(). */
export function udpConfigFlags(values: Parsed['values']): Partial<Record<keyof Config, unknown>> {
  return { udpMtu: values.mtu, udpFecPercent: values.fec === 'auto' ? undefined : values.fec, udpFecCode: values['fec-code'], udpTtl: values.ttl, udpPaceMbps: values['pace-mbps'] };
}

/** udpChoices maps the UDP flags that are not Config keys. */
export function udpChoices(values: Parsed['values']): UdpChoices {
  return {
    nack: values['no-nack'] ? false : undefined,
    iface: values.iface as string | undefined,
    loopback: values['no-loopback'] ? false : undefined,
    fecAuto: values.fec === undefined ? undefined : values.fec === 'auto',
  };
}
