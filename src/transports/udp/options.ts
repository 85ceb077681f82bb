/**
 * options: everything a camwire UDP endpoint is tuned by, built from the Config (udp* keys, see
 * config/defaults for each default's reason, config/schema for their ranges) plus per-command choices.
 */
import { DEFAULTS, type Config } from '../../config/defaults.js';
import { validateConfig } from '../../config/schema.js';
import type { FecCode } from './fec.js';
import type { ByteBudget, ReassemblerOptions } from './reassembler.js';

/** UdpOptions: the validated settings of one UDP endpoint. */
export interface UdpOptions {
  mtu: number;
  fecPercent: number;
  /** maxFecPercent: the most parity this endpoint accepts when receiving. */
  maxFecPercent: number;
  fecCode: FecCode;
  /** fecAuto: size parity from receivers' LOSS reports (`--fec auto`); default: on for multicast senders only. */
  fecAuto?: boolean;
  /** paceMbps: pacing rate in Mbit/s, 0 = unpaced (pacer.ts). */
  paceMbps: number;
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

/** UdpChoices: the per-command parts of UdpOptions (flags --no-nack, --iface, --no-loopback, --fec auto|N). */
export type UdpChoices = Partial<Pick<UdpOptions, 'nack' | 'iface' | 'loopback' | 'fecAuto'>>;

const UDP_KEYS = ['udpMtu', 'udpFecPercent', 'udpMaxFecPercent', 'udpFecCode', 'udpPaceMbps', 'udpDeadlineMs', 'udpRecvBufferBytes', 'udpRefreshMs', 'udpTtl', 'maxFrameBytes', 'token'] as const;
type UdpConfig = Pick<Config, (typeof UDP_KEYS)[number]>;

/** udpOptions checks the udp* config keys against the config schema and merges the choices. */
export function udpOptions(cfg: Partial<UdpConfig> = {}, choices: UdpChoices = {}): UdpOptions {
  const c = { ...DEFAULTS, ...validateConfig(cfg, UDP_KEYS) };
  return {
    mtu: c.udpMtu,
    fecPercent: c.udpFecPercent,
    maxFecPercent: c.udpMaxFecPercent,
    fecCode: c.udpFecCode as FecCode,
    fecAuto: choices.fecAuto,
    paceMbps: c.udpPaceMbps,
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

/** receiverOptions are the reassembly limits of one receiver: two maximum frames in flight, the configured deadline and parity cap. */
export function receiverOptions(o: UdpOptions, budget?: ByteBudget): Partial<ReassemblerOptions> {
  return { deadlineMs: o.deadlineMs, maxBufferedBytes: 2 * o.maxFrameBytes, maxFecPercent: o.maxFecPercent, budget };
}
