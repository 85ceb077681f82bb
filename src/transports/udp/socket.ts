/**
 * socket: opening camwire's UDP sockets — buffer sizes, address reuse and multicast membership
 * in one place, with errors a user can act on.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostForUrl } from '../../config/url.js';
import { createError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { describeNetError } from '../../util/neterr.js';

const log = createLogger('udp');

/** MulticastOptions: how a socket takes part in a multicast group. */
export interface MulticastOptions {
  group: string;
  /** iface: the local interface address (IPv4) or `::%name` / scope (IPv6); the OS picks when absent. */
  iface?: string;
  /** ttl: how many router hops datagrams may cross (1 = this subnet only). */
  ttl?: number;
  /** loopback: deliver our own datagrams to receivers on this host too (the OS default). */
  loopback?: boolean;
  /** join: receive from the group (a viewer) rather than only send to it. */
  join: boolean;
}

/** UdpSocketOptions: what openUdpSocket sets up. */
export interface UdpSocketOptions {
  family: 4 | 6;
  /** bindAddress: the local address; the wildcard when absent. */
  bindAddress?: string;
  port?: number;
  /** reuseAddr: let several receivers on this host bind the same port (multicast viewers). */
  reuseAddr?: boolean;
  recvBufferBytes?: number;
  multicast?: MulticastOptions;
}

/** resolveHost turns a host name or literal into one address and its family. */
export async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const fam = isIP(host);
  if (fam) return { address: host, family: fam as 4 | 6 };
  try {
    const r = await lookup(host);
    return { address: r.address, family: r.family === 6 ? 6 : 4 };
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONNECT', `cannot resolve ${host}: ${describeNetError(e)}`, { cause: e });
  }
}

/** openUdpSocket creates, binds and configures a UDP socket; rejects with CAMWIRE_ERR_LISTEN. */
export async function openUdpSocket(o: UdpSocketOptions): Promise<Socket> {
  const socket = createSocket({ type: o.family === 6 ? 'udp6' : 'udp4', reuseAddr: o.reuseAddr ?? false });
  const where = `udp://${hostForUrl(o.bindAddress ?? (o.family === 6 ? '::' : '0.0.0.0'))}:${o.port ?? 0}`;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'EADDRINUSE' ? ' (another program uses that port; multicast viewers share it only with each other)' : '';
      reject(createError('CAMWIRE_ERR_LISTEN', `cannot open ${where}: ${describeNetError(e)}${hint}`, { cause: e }));
    });
    socket.bind({ port: o.port ?? 0, address: o.bindAddress }, () => resolve());
  });
  socket.removeAllListeners('error');
  socket.on('error', (e) => log.warn(`${where}: ${describeNetError(e)}`));
  try {
    if (o.recvBufferBytes) setRecvBuffer(socket, o.recvBufferBytes);
    if (o.multicast) configureMulticast(socket, o.multicast);
  } catch (e) {
    socket.close();
    throw e;
  }
  return socket;
}

function configureMulticast(socket: Socket, m: MulticastOptions): void {
  const what = `multicast group ${m.group}${m.iface ? ` on interface ${m.iface}` : ''}`;
  try {
    if (m.join) socket.addMembership(m.group, m.iface);
    if (m.iface) socket.setMulticastInterface(m.iface);
    if (m.ttl !== undefined) socket.setMulticastTTL(m.ttl);
    socket.setMulticastLoopback(m.loopback ?? true);
  } catch (e) {
    throw createError('CAMWIRE_ERR_LISTEN', `cannot use ${what}: ${describeNetError(e)} (check --iface names an address of this machine)`, { cause: e });
  }
}

/**
 * setRecvBuffer asks for a receive buffer size. The kernel silently caps it (Linux:
 * net.core.rmem_max), and a small buffer loses bursts, so a cap below the request is reported
 * once. (Linux reports twice the size asked for, counting its bookkeeping; a capped buffer still
 * shows up as less than asked.)
 */
function setRecvBuffer(socket: Socket, bytes: number): void {
  try {
    socket.setRecvBufferSize(bytes);
  } catch (e) {
    log.warn(`cannot set the UDP receive buffer to ${bytes} bytes: ${describeNetError(e)}`);
    return;
  }
  const got = socket.getRecvBufferSize();
  if (got < bytes && !warnedSmallBuffer) {
    warnedSmallBuffer = true;
    log.warn(`UDP receive buffer is ${got} bytes, not the ${bytes} asked for; bursts may be lost (Linux: sudo sysctl -w net.core.rmem_max=${bytes})`);
  }
}

let warnedSmallBuffer = false;
