/**
 * udp-attacks: the UDP rows of issue 12's attack table, run against an in-process hub while a
 * good 30 fps publisher and a good viewer use it; shared by the CI tests (a few seconds each,
 * test/transports/udp/attack.test.ts) and `npm run bench -- attack-udp` (60 s each).
 *
 * Attackers send from 127.0.0.5, the good peers from 127.0.0.1, as a stranger on the LAN would;
 * they run in a worker thread, so their own work does not stall the hub's event loop.
 * Each attack reports the good viewer's share of the frames published while it ran, the peak
 * growth of this process's RSS, and figures of its own (`detail`).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startHub } from '../src/api/hub-server.js';
import { publishTo, readFrom } from '../src/api/remote.js';
import { decodeDatagram, encodeHello, encodeNack } from '../src/transports/udp/control.js';
import { DatagramType, encodeFragmentHeader, FRAGMENT_HEADER_BYTES, isRejection, PREFIX_BYTES, UDP_MAGIC, UDP_VERSION, type FragmentHeader } from '../src/transports/udp/wire.js';
import { sleep } from '../src/util/sleep.js';
import { LossyRelay } from './lossy-relay.js';
import { testFrame } from './udp-frames.js';

/** ATTACKER_ADDRESS: where attacks come from (any 127/8 address reaches the hub on Linux). */
export const ATTACKER_ADDRESS = '127.0.0.5';

/** UdpAttackName names one row of the table. */
export type UdpAttackName = 'none' | 'memory' | 'fec-bomb' | 'spoof' | 'slots' | 'nack' | 'token';

/** UDP_ATTACKS lists every attack with what it does, for tables. */
export const UDP_ATTACKS: Record<UdpAttackName, string> = {
  none: 'no attack (same-run baseline)',
  memory: 'memory amplification: datagrams declaring 65 535 data + 32 767 parity fragments, a new frame each',
  'fec-bomb': 'FEC CPU bomb: frames of parity only (127 + 127, and 128 + 64 within the cap) to make the hub repair',
  spoof: 'spoofed datagrams from the hub\'s address: ERROR "constructor"/"__proto__", malformed CHALLENGE/WELCOME, stray END/NACK/DATA',
  slots: 'subscriber slots: 200 viewers from one host, half on streams that do not exist, none reading',
  nack: 'NACK amplification: a viewer asking for every fragment of every frame again',
  token: 'token in clear: sniff the path of a viewer and a publisher of a --token hub',
};

/** UdpAttackResult is what one run measured. */
export interface UdpAttackResult {
  attack: UdpAttackName;
  /** sent / got: frames published while the attack ran, and how many of them the good viewer received. */
  sent: number;
  got: number;
  share: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  /** detail: attack-specific figures (streams listed, bytes pulled, secrets seen, …). */
  detail: Record<string, number>;
}

const TOKEN = 'attack-test-secret-7f3a';
const FRAME_BYTES = 30_000;
const FPS = 30;

const rssMiB = () => process.memoryUsage().rss / 1048576;

/** runUdpAttack runs one attack for `durationMs` (see the file comment). */
export async function runUdpAttack(attack: UdpAttackName, durationMs: number): Promise<UdpAttackResult> {
  const token = attack === 'token' ? TOKEN : '';
  const server = await startHub({ tcpPort: null, httpPort: null, udpPort: 0, host: '127.0.0.1', token });
  const port = server.udp!.port;
  const closers: { close(): Promise<void> }[] = [];
  const sniffed: Buffer[] = [];
  // The good peers reach the hub through relays (no loss): the path a sniffer or spoofer sits on.
  const relays = await Promise.all([0, 1].map(() => LossyRelay.start({ host: '127.0.0.1', port }, { seed: 1, tap: (b) => void (attack === 'token' && sniffed.push(Buffer.from(b))) })));
  closers.push(...relays);
  const opts = token ? { token } : {};
  const out = await publishTo(`udp://127.0.0.1:${relays[0].port}/good`, opts);
  closers.push(out);
  let seq = 0;
  const publish = () => out.publish({ ...testFrame(FRAME_BYTES, seq), seq: seq++, captureUs: Date.now() * 1000 });
  const ticker = setInterval(publish, 1000 / FPS);
  const view = readFrom(`udp://127.0.0.1:${relays[1].port}/good`, opts);
  closers.push(view);
  const seen = new Set<number>();
  const reading = (async () => {
    for await (const f of view) seen.add(f.seq);
  })().catch(() => {});
  const result: UdpAttackResult = { attack, sent: 0, got: 0, share: 0, rssBeforeMiB: 0, rssPeakMiB: 0, detail: {} };
  try {
    for (let i = 0; seen.size === 0 && i < 300; i++) await sleep(50);
    if (seen.size === 0) throw new Error('the good viewer got no frame before the attack');
    await sleep(300);
    let from = seq;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 100);
    let phantoms = 0;
    let attackerPeers = 0;
    let bufferedMiB = 0;
    const hubSampler = setInterval(() => {
      phantoms = Math.max(phantoms, server.hub.names().filter((n) => n.startsWith('phantom')).length);
      attackerPeers = Math.max(attackerPeers, server.udp!.peerCount - 2);
      bufferedMiB = Math.max(bufferedMiB, ((server.udp as unknown as { bufferedBytes?: number }).bufferedBytes ?? NaN) / 1048576);
    }, 100);
    try {
      // The worker says when it is loaded and attacking; the clock and the frame count start then.
      const setup = { port, upstreamPorts: relays.flatMap((r) => r.upstreamPorts()), durationMs };
      const worker = new Worker(new URL(import.meta.url), { workerData: { attack, setup } });
      const detail = await new Promise<Record<string, number>>((resolve, reject) => {
        worker.on('message', (m: { started?: true; detail?: Record<string, number> }) => {
          if (m.started) {
            from = seq;
            result.rssBeforeMiB = peak = rssMiB();
            phantoms = attackerPeers = bufferedMiB = 0;
          } else resolve(m.detail!);
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`attack worker exited with ${code}`)));
      });
      await worker.terminate();
      const d = (server.udp as unknown as { defenses?: () => Record<string, number> }).defenses?.() ?? {};
      result.detail = { ...detail, phantomStreams: phantoms, attackerPeersPeak: attackerPeers, hubBufferedMiBPeak: Number(bufferedMiB.toFixed(1)), parityRefused: d.parityRefused ?? 0, repairRefused: d.repairRefused ?? 0, bombersDropped: d.cpuDropped ?? 0, ghostsDropped: d.ghostsDropped ?? 0 };
      if (attack === 'token') result.detail = { ...result.detail, datagramsSniffed: sniffed.length, withSecret: sniffed.filter((d) => d.includes(Buffer.from(TOKEN))).length };
    } finally {
      clearInterval(sampler);
      clearInterval(hubSampler);
    }
    const to = seq;
    await sleep(500); // the last frames in flight
    result.sent = to - from;
    for (let s = from; s < to; s++) if (seen.has(s)) result.got++;
    result.share = result.sent ? result.got / result.sent : 0;
    result.rssPeakMiB = Math.max(peak, rssMiB());
  } finally {
    clearInterval(ticker);
    for (const c of closers.reverse()) await c.close().catch(() => {});
    await reading;
    await server.close();
  }
  return result;
}

/** AttackContext: what an attack in the worker knows — the hub's port, the good peers' relay upstream ports, when to stop. */
interface AttackContext {
  port: number;
  upstreamPorts: number[];
  until: number;
}


const ATTACKS: Record<UdpAttackName, (c: AttackContext) => Promise<Record<string, number>>> = {
  none: async (c) => {
    while (Date.now() < c.until) await sleep(100);
    return {};
  },
  memory: memoryAttack,
  'fec-bomb': fecBomb,
  spoof: spoofAttack,
  slots: slotFlood,
  nack: nackAttack,
  token: sniffToken,
};

/** Raw is an attacker's socket on ATTACKER_ADDRESS that sees every datagram the hub sends it. */
class Raw {
  private waiters: ((d: Buffer) => void)[] = [];
  /** onDatagram: what the attack does with each datagram it receives. */
  onDatagram: (d: Buffer) => void = () => {};

  private constructor(readonly socket: Socket) {
    socket.on('message', (m) => {
      this.onDatagram(m);
      for (const w of this.waiters.splice(0)) w(m);
    });
    socket.on('error', () => {});
  }

  static async open(): Promise<Raw> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, ATTACKER_ADDRESS, () => r()));
    return new Raw(s);
  }

  send(b: Buffer, port: number): void {
    this.socket.send(b, port, '127.0.0.1');
  }

  /** handshake says HELLO, answers the CHALLENGE and resolves true on WELCOME (false on anything else or silence). */
  async handshake(port: number, hello: Parameters<typeof encodeHello>[0]): Promise<boolean> {
    this.send(encodeHello(hello), port);
    const challenge = await this.nextDecoded(3000);
    if (challenge?.type !== 'challenge') return false;
    this.send(encodeHello({ ...hello, cookie: challenge.cookie }), port);
    this.cookie = challenge.cookie;
    const welcome = await this.nextDecoded(3000);
    if (welcome?.type !== 'welcome') return false;
    this.welcomed = welcome.welcome.streamId;
    return true;
  }

  cookie = '';
  welcomed = 0;

  private async nextDecoded(ms: number) {
    const d = await Promise.race([new Promise<Buffer>((r) => this.waiters.push(r)), sleep(ms).then(() => undefined)]);
    if (!d) return undefined;
    const v = decodeDatagram(d, 16 << 20);
    return isRejection(v) ? undefined : v;
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** dataDatagram builds one DATA datagram for a header, with a payload of the right length. */
function dataDatagram(h: FragmentHeader, payloadBytes: number): Buffer {
  return Buffer.concat([encodeFragmentHeader(h), Buffer.alloc(payloadBytes, 0x5a)]);
}

function header(streamId: number, frameNo: number, o: Pick<FragmentHeader, 'index' | 'dataCount' | 'parityCount' | 'groups' | 'fragmentBytes' | 'frameBytes'>): FragmentHeader {
  return { streamId, frameNo, seq: frameNo, captureUs: Date.now() * 1000, codec: 'mjpeg', keyframe: true, retransmit: false, width: 1280, height: 720, frameCrc: 0, ...o };
}

async function openPublishers(n: number, port: number, name: string): Promise<{ raw: Raw; streamId: number }[]> {
  // All at once, as a flood would; the ones the hub refused or did not answer are closed.
  const tries = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const raw = await Raw.open();
      const streamId = 0x1000 + i;
      return { raw, streamId, ok: await raw.handshake(port, { role: 'publish', stream: `${name}${i}`, streamId }) };
    }),
  );
  for (const t of tries) if (!t.ok) await t.raw.close();
  return tries.filter((t) => t.ok);
}

/** refresh keeps attacker peers registered (HELLO with their cookie every 500 ms) until `until`. */
function refresher(peers: { raw: Raw; hello: Parameters<typeof encodeHello>[0] }[], port: number): NodeJS.Timeout {
  return setInterval(() => {
    for (const p of peers) if (p.raw.cookie) p.raw.send(encodeHello({ ...p.hello, cookie: p.raw.cookie }), port);
  }, 500);
}

/**
 * asPublishers opens `n` attacker publishers of streams NAME0…, keeps them registered, and calls
 * `round` with each of them and a new frame number every 5 ms until the attack ends.
 */
async function asPublishers(c: AttackContext, n: number, name: string, round: (p: { raw: Raw; streamId: number }, frameNo: number, i: number) => number): Promise<Record<string, number>> {
  const pubs = await openPublishers(n, c.port, name);
  const keep = refresher(pubs.map((p, i) => ({ raw: p.raw, hello: { role: 'publish' as const, stream: `${name}${i}`, streamId: p.streamId } })), c.port);
  let datagrams = 0;
  try {
    for (let frameNo = 1; Date.now() < c.until; frameNo++) {
      pubs.forEach((p, i) => (datagrams += round(p, frameNo, i)));
      await sleep(5);
    }
  } finally {
    clearInterval(keep);
    await Promise.all(pubs.map((p) => p.raw.close()));
  }
  return { attackers: pubs.length, datagrams };
}

function memoryAttack(c: AttackContext): Promise<Record<string, number>> {
  // One datagram per frame, each declaring 65 535 data and 32 767 parity fragments of 256 bytes.
  const N = 65535;
  const layout = { index: 0, dataCount: N, parityCount: 32767, groups: 32767, fragmentBytes: 256, frameBytes: N * 256 };
  return asPublishers(c, 20, 'mem', (p, frameNo) => (p.raw.send(dataDatagram(header(p.streamId, frameNo, layout), 256), c.port), 1));
}

function fecBomb(c: AttackContext): Promise<Record<string, number>> {
  const L = 1404;
  // Half the attackers declare 127 + 127 (parity = data), half 128 + 64 (within a 50 % cap); no data, or half, is sent.
  const shapes = [
    { dataCount: 127, parityCount: 127, indices: Array.from({ length: 127 }, (_, j) => 127 + j) },
    { dataCount: 128, parityCount: 64, indices: [...Array.from({ length: 64 }, (_, j) => j), ...Array.from({ length: 64 }, (_, j) => 128 + j)] },
  ];
  return asPublishers(c, 4, 'fec', (p, frameNo, i) => {
    const s = shapes[i % 2];
    const layout = { dataCount: s.dataCount, parityCount: s.parityCount, groups: 1, fragmentBytes: L, frameBytes: s.dataCount * L };
    for (const index of s.indices) p.raw.send(dataDatagram(header(p.streamId, frameNo, { ...layout, index }), L), c.port);
    return s.indices.length;
  });
}

/** SPOOFS: datagrams an on-path attacker injects as if from the hub. */
function spoofs(): Buffer[] {
  const json = (type: number, body: object) => {
    const text = Buffer.from(JSON.stringify(body));
    const b = Buffer.alloc(PREFIX_BYTES + text.length);
    b.writeUInt16BE(UDP_MAGIC, 0);
    b.writeUInt8(UDP_VERSION, 2);
    b.writeUInt8(type, 3);
    text.copy(b, PREFIX_BYTES);
    return b;
  };
  const end = Buffer.alloc(8);
  end.writeUInt16BE(UDP_MAGIC, 0);
  end.writeUInt8(UDP_VERSION, 2);
  end.writeUInt8(DatagramType.END, 3);
  end.writeUInt32BE(0xdeadbeef, 4);
  const nack = encodeNack({ streamId: 1, frameNo: 1, indices: [0, 1, 2] });
  return [
    ...['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'].map((code) => json(DatagramType.ERROR, { code, message: 'spoofed' })),
    json(DatagramType.CHALLENGE, { cookie: 7 }),
    json(DatagramType.WELCOME, { stream: 'good', streamId: 'x', refreshMs: -1 }),
    end,
    nack,
    dataDatagram(header(7, 1, { index: 0, dataCount: 1, parityCount: 0, groups: 0, fragmentBytes: 1404, frameBytes: 100 }), 100),
    Buffer.from([0x43, 0x55, UDP_VERSION, 0xff]),
  ];
}

async function spoofAttack(c: AttackContext): Promise<Record<string, number>> {
  const raw = await Raw.open();
  const list = spoofs();
  let sent = 0;
  try {
    while (Date.now() < c.until) {
      // The relays' upstream ports are the hub's side of the good peers' paths.
      for (const p of c.upstreamPorts) for (const d of list) {
        raw.socket.send(d, p, '127.0.0.1');
        sent++;
      }
      await sleep(50);
    }
  } finally {
    await raw.close();
  }
  return { datagrams: sent };
}

async function slotFlood(c: AttackContext): Promise<Record<string, number>> {
  const peers: { raw: Raw; hello: Parameters<typeof encodeHello>[0] }[] = [];
  let welcomed = 0;
  for (let i = 0; i < 200 && Date.now() < c.until; i++) {
    const raw = await Raw.open();
    const hello = { role: 'view' as const, stream: i % 2 ? `phantom${i}` : 'good' };
    // Handshakes in parallel batches, as a flood would.
    const ok = raw.handshake(c.port, hello);
    peers.push({ raw, hello });
    if (i % 20 === 19) await sleep(10);
    void ok.then((w) => void (w && welcomed++));
  }
  const keep = refresher(peers, c.port);
  try {
    while (Date.now() < c.until) await sleep(100);
  } finally {
    clearInterval(keep);
  }
  await Promise.all(peers.map((p) => p.raw.close()));
  return { attackers: peers.length, welcomed };
}

async function nackAttack(c: AttackContext): Promise<Record<string, number>> {
  const raw = await Raw.open();
  let first = 0;
  let again = 0;
  let newestFrame = 0;
  let frames = 0;
  raw.onDatagram = (m) => {
    if (m.length < FRAGMENT_HEADER_BYTES || m.readUInt8(3) !== DatagramType.DATA) return;
    const retransmit = (m.readUInt8(25) & 2) !== 0;
    if (retransmit) again += m.length;
    else first += m.length;
    const frameNo = m.readUInt32BE(8);
    if (frameNo !== newestFrame) frames++;
    newestFrame = frameNo;
    const dataCount = m.readUInt16BE(32);
    const indices = Array.from({ length: Math.min(dataCount, 256) }, (_, i) => i);
    raw.send(encodeNack({ streamId: m.readUInt32BE(4), frameNo, indices }), c.port);
  };
  const ok = await raw.handshake(c.port, { role: 'view', stream: 'good' });
  // Keep the subscription: HELLO refreshes and receiver reports naming the newest frame seen.
  const keep = setInterval(() => {
    raw.send(encodeHello({ role: 'view', stream: 'good', cookie: raw.cookie }), c.port);
    const r = Buffer.alloc(32);
    r.writeUInt16BE(UDP_MAGIC, 0);
    r.writeUInt8(UDP_VERSION, 2);
    r.writeUInt8(0x09, 3);
    r.writeUInt32BE(raw.welcomed, 4);
    r.writeUInt32BE(newestFrame, 8);
    r.writeUInt32BE(frames, 12);
    Buffer.from(raw.cookie, 'base64url').copy(r, 16, 0, 16);
    raw.send(r, c.port);
  }, 300);
  try {
    while (Date.now() < c.until) await sleep(100);
  } finally {
    clearInterval(keep);
    await raw.close();
  }
  return { welcomed: ok ? 1 : 0, firstBytes: first, retransmittedBytes: again, pullFactor: first ? (first + again) / first : 0 };
}

async function sniffToken(c: AttackContext): Promise<Record<string, number>> {
  // The sniffing is the relays' tap in the main thread; here, only time passes.
  while (Date.now() < c.until) await sleep(100);
  return {};
}

// In the attack worker (runUdpAttack starts this file as one): say it started, attack, post its figures.
if (!isMainThread && workerData?.attack) {
  const { attack, setup } = workerData as { attack: UdpAttackName; setup: Omit<AttackContext, 'until'> & { durationMs: number } };
  parentPort!.postMessage({ started: true });
  void ATTACKS[attack]({ ...setup, until: Date.now() + setup.durationMs }).then((detail) => parentPort!.postMessage({ detail }));
}
