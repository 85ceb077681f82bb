/**
 * soak-attacks: one burst of every attack from issue 12's table that needs no credentials, each
 * from its own loopback address so per-address limits meet it the way they meet a LAN stranger:
 * FRAME-first TCP peers trickling a byte every 3 s, idle TCP connections, half-open HTTP
 * requests, UDP datagrams with camwire's prefix and random bodies, and a WebSocket that
 * subscribes and unsubscribes as fast as it can.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { header, MessageType } from '../src/transports/tcp/messages.js';
import { DatagramType, writePrefix } from '../src/transports/udp/wire.js';
import { sleep } from '../src/util/sleep.js';

/** BurstPorts: the hub's listeners and how long the burst lasts. */
export interface Burst {
  tcp: number;
  http: number;
  udp: number;
  seconds: number;
}

/** Tally: connections an attack opened, and how many of them the hub closed during the burst. */
interface Tally {
  opened: number;
  closedByHub: number;
}

let ending = false;

function open(port: number, localAddress: string, tally: Tally, sockets: Socket[], first?: Buffer): void {
  const s = connect({ host: '127.0.0.1', port, localAddress }, () => {
    tally.opened++;
    if (first) s.write(first);
  });
  s.on('error', () => {});
  s.on('close', () => !ending && tally.closedByHub++);
  sockets.push(s);
}

/** attackBurst runs every attack at once for `seconds` and returns a one-line summary. */
export async function attackBurst(b: Burst): Promise<string> {
  ending = false;
  const sockets: Socket[] = [];
  const frameFirst: Tally = { opened: 0, closedByHub: 0 };
  const idle: Tally = { opened: 0, closedByHub: 0 };
  const halfOpen: Tally = { opened: 0, closedByHub: 0 };
  // A FRAME header declaring 16 MiB as the very first message, no HELLO.
  const frameHeader = header(MessageType.FRAME, 16 * 1024 * 1024);
  for (let i = 0; i < 60; i++) open(b.tcp, '127.0.0.2', frameFirst, sockets, frameHeader);
  for (let i = 0; i < 300; i++) open(b.tcp, '127.0.0.3', idle, sockets);
  for (let i = 0; i < 300; i++) open(b.http, '127.0.0.4', halfOpen, sockets, Buffer.from('GET /streams/cam.mjpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
  const trickle = setInterval(() => {
    for (const s of sockets) if (!s.destroyed && s.writable) s.write(s.remotePort === b.http ? 'X-a: b\r\n' : 'x');
  }, 3000);

  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.5', () => r()));
  let datagrams = 0;
  const junk = setInterval(() => {
    for (let i = 0; i < 50; i++) {
      const d = randomBytes(64 + (i % 8) * 160);
      writePrefix(d, i % 2 ? DatagramType.DATA : DatagramType.HELLO);
      udp.send(d, b.udp, '127.0.0.1');
      datagrams++;
    }
  }, 100);

  let subscribes = 0;
  const flooders = Array.from({ length: 10 }, () => {
    const ws = new WebSocket(`ws://127.0.0.1:${b.http}/ws`, { localAddress: '127.0.0.6' });
    ws.on('error', () => {});
    ws.on('open', () => {
      const t = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return clearInterval(t);
        ws.send(JSON.stringify({ type: 'subscribe', streams: subscribes % 2 ? [] : ['cam', 'ff'], ack: false }));
        subscribes++;
      }, 5);
      ws.once('close', () => clearInterval(t));
    });
    return ws;
  });

  await sleep(b.seconds * 1000);
  ending = true;
  clearInterval(trickle);
  clearInterval(junk);
  for (const s of sockets) s.destroy();
  for (const ws of flooders) ws.terminate();
  udp.close();
  const open_ = (t: Tally) => `${t.opened} opened/${t.closedByHub} closed by the hub`;
  return `${b.seconds} s: FRAME-first ${open_(frameFirst)}, idle ${open_(idle)}, half-open HTTP ${open_(halfOpen)}, ${datagrams} junk datagrams, ${subscribes} ws subscribes`;
}
