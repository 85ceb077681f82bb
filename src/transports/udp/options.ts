/**
 * options: everything a camwire UDP endpoint is tuned by, built from the Config (udp* keys, see
 * config/defaults for each default's reason) plus per-command choices, and validated there.
 */
import { DEFAULTS, type Config } from '../../config/defaults.js';
import { createError } from '../../util/errors.js';
import { FEC_CODES, type FecCode } from './fec.js';
import { MAX_MTU, MIN_MTU } from './wire.js';

/** UdpOptions: the validated settings of one UDP endpoint. */
export interface UdpOptions {
  mtu: number;
  fecPercent: number;
  fecCode: FecCode;
  pacePercent: number;
  deadlineMs: number;
  recvBufferBytes: number;
  refreshMs: number;
  ttl: number;
  maxFrameBytes: number;
  token: string;
  /** nack: ask for lost fragments again (unicast and hub links; multicast never does). */
  nack: boolean;
  /** iface: the local interface address for multicast (IPv4 address, or IPv6 `::%name`). */
  iface?: string;
  /** loopback: multicast datagrams also reach receivers on the sending host. */
  loopback: boolean;
}

/** UdpChoices: the per-command parts of UdpOptions (flags --no-nack, --iface, --no-loopback). */
export type UdpChoices = Partial<Pick<UdpOptions, 'nack' | 'iface' | 'loopback'>>;

type UdpConfig = Pick<Config, 'udpMtu' | 'udpFecPercent' | 'udpFecCode' | 'udpPacePercent' | 'udpDeadlineMs' | 'udpRecvBufferBytes' | 'udpRefreshMs' | 'udpTtl' | 'maxFrameBytes' | 'token'>;

/** udpOptions validates the udp* config keys and merges the choices; errors name the key. */
export function udpOptions(cfg: Partial<UdpConfig> = {}, choices: UdpChoices = {}): UdpOptions {
  const c = { ...DEFAULTS, ...cfg };
  const range = (key: keyof UdpConfig, v: number, lo: number, hi: number, why: string) => {
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw createError('CAMWIRE_ERR_CONFIG', `${key} must be an integer ${lo}–${hi} (${why}), got ${v}`);
  };
  range('udpMtu', c.udpMtu, MIN_MTU, MAX_MTU, 'the path MTU in bytes');
  range('udpFecPercent', c.udpFecPercent, 0, 100, 'parity overhead in percent; 0 turns FEC off');
  range('udpPacePercent', c.udpPacePercent, 0, 100, 'share of the frame interval; 0 sends each frame at once');
  range('udpTtl', c.udpTtl, 0, 255, 'multicast hops');
  if (!FEC_CODES.includes(c.udpFecCode as FecCode)) throw createError('CAMWIRE_ERR_CONFIG', `udpFecCode must be ${FEC_CODES.join(' or ')}, got "${c.udpFecCode}"`);
  return {
    mtu: c.udpMtu,
    fecPercent: c.udpFecPercent,
    fecCode: c.udpFecCode as FecCode,
    pacePercent: c.udpPacePercent,
    deadlineMs: c.udpDeadlineMs,
    recvBufferBytes: c.udpRecvBufferBytes,
    refreshMs: c.udpRefreshMs,
    ttl: c.udpTtl,
    maxFrameBytes: c.maxFrameBytes,
    token: c.token,
    nack: choices.nack ?? true,
    iface: choices.iface,
    loopback: choices.loopback ?? true,
  };
}
