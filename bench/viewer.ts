/**
 * viewer: a raw camwire protocol viewer for benchmarks — many of them in one process cost far
 * less than many `camwire view` processes, and they record every sequence number they get.
 */
import type { Socket } from 'node:net';
import { Decoder } from '../src/transports/tcp/decoder.js';
import { encodeHello, encodeKeepalive } from '../src/transports/tcp/messages.js';
import { rawConnect } from '../support/net.js';

/** BenchViewer is one connected viewer and the sequence numbers it received. */
export interface BenchViewer {
  seqs: number[];
  socket: Socket;
}

/** protocolViewer connects to a hub on 127.0.0.1:port and views `stream`, keeping the link alive. */
export async function protocolViewer(port: number, stream: string): Promise<BenchViewer> {
  const socket = await rawConnect(port);
  const v: BenchViewer = { seqs: [], socket };
  // A bench viewer reads what a hub sends after WELCOME: frames are expected from the start.
  const d = new Decoder({ authenticated: true });
  socket.on('data', (c) => {
    for (const m of d.push(c)) if (m.type === 'frame') v.seqs.push(m.frame.seq);
  });
  socket.on('error', () => {});
  socket.write(encodeHello({ role: 'view', stream }));
  const keepalive = setInterval(() => socket.writable && socket.write(encodeKeepalive()), 1000);
  socket.on('close', () => clearInterval(keepalive));
  return v;
}

/** shareSince is the fraction of frames received out of the sequence range covered after `from`. */
export function shareSince(v: BenchViewer, from: number): number {
  const got = v.seqs.slice(from);
  return got.length === 0 ? 0 : got.length / (got[got.length - 1] - got[0] + 1);
}

/** trickle makes a client slow: once a second it reads one chunk (≤ 64 KiB, about a frame). */
export function trickle(s: Socket): void {
  s.pause();
  s.on('data', () => s.pause());
  const t = setInterval(() => s.resume(), 1000);
  s.on('close', () => clearInterval(t));
}
