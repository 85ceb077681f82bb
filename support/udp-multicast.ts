/**
 * udp-multicast: drives real JPEG frames from one multicast sender through a lossy multicast LAN
 * (support/multicast-relay.ts: a seeded lossy relay per receiver) to N receivers and measures
 * what each got — intact frames (SHA-1 against what was sent under that seq), corrupt ones,
 * capture→received latency — plus the sender's and receivers' counters. Shared by
 * test/transports/udp/multicast.test.ts and bench/multicast.ts.
 *
 * A member (a relay and its receiver) runs in this thread, or with `workers` in a worker thread
 * of its own, as receivers on separate machines would: ten 720p30 receivers and their relays
 * are more than one event loop keeps up with.
 */
import { createSocket } from 'node:dgram';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Frame } from '../src/frame/frame.js';
import { Hub } from '../src/hub/hub.js';
import { decodeDatagram, encodeNack } from '../src/transports/udp/control.js';
import { UdpDirectReceiver } from '../src/transports/udp/direct-receiver.js';
import { UdpDirectSender } from '../src/transports/udp/direct-sender.js';
import type { FrameSenderStats } from '../src/transports/udp/frame-sender.js';
import type { ReceiverStats } from '../src/transports/udp/frame-receiver.js';
import { udpOptions, type UdpChoices, type UdpOptions } from '../src/transports/udp/options.js';
import { isRejection } from '../src/transports/udp/wire.js';
import { nowUs } from '../src/util/clock.js';
import { sleep } from '../src/util/sleep.js';
import type { LossOptions } from './lossy-relay.js';
import { groupAddress, receiverGroup, startLanRelay, type LanRelayStats } from './multicast-relay.js';
import { freeUdpPort } from './net.js';
import { sha1 } from './udp-frames.js';

/** McReceiver is what one receiver got of the measured frames. */
export interface McReceiver {
  intact: number;
  corrupt: number;
  /** measured: measured frames sent while this receiver was listening (all of them unless it joined late). */
  measured: number;
  latencies: number[];
  stats: ReceiverStats | undefined;
}

/** McResult is one run: every receiver, the sender's counters over the measured frames, the relays. */
export interface McResult {
  receivers: McReceiver[];
  sender: FrameSenderStats;
  relays: LanRelayStats[];
  /** hostileNacks: NACKs the NACK-everything member sent. */
  hostileNacks: number;
}

/** McRun describes one run. */
export interface McRun {
  /** losses: one receiver per entry, each behind its own relay. */
  losses: Omit<LossOptions, 'seed'>[];
  seed: number;
  frames: number;
  pictures: Frame[];
  fps?: number;
  /** udp: settings and choices for both ends (e.g. { nack: false, fecAuto: false, fecPercent: 10 }). */
  udp?: Partial<Pick<UdpOptions, 'fecPercent' | 'paceMbps'>> & UdpChoices;
  /** lateJoin: receiver i starts only after this many measured frames. */
  lateJoin?: { receiver: number; afterFrames: number };
  /** hostile: a member that joins the main group and NACKs every fragment of every frame it hears. */
  hostile?: boolean;
  /** graceMs: how long to wait after the last frame for repairs (default 500). */
  graceMs?: number;
  /** workers: each member (relay + receiver) in its own worker thread. */
  workers?: boolean;
}

/** Arrival: one frame a member delivered. */
type Arrival = { seq: number; sha: string; latencyMs: number };
/** MemberSetup: what a member needs to open (plain data, so it can cross to a worker). */
type MemberSetup = { port: number; index: number; loss: LossOptions; opts: UdpOptions };
/** Member: a running relay + receiver; close() returns their counters. */
interface Member {
  close(): Promise<{ stats: ReceiverStats | undefined; relay: LanRelayStats }>;
}

/** openMember starts relay i and its receiver; each delivered frame goes to `arrived`. */
async function openMember(m: MemberSetup, arrived: (a: Arrival) => void): Promise<Member> {
  const relay = await startLanRelay(m.port, m.index, m.loss);
  const rx = new UdpDirectReceiver(receiverGroup(m.port, m.index), m.port, m.opts, {
    frame: (f) => arrived({ seq: f.seq, sha: sha1(f.payload), latencyMs: (nowUs() - f.captureUs) / 1000 }),
    end: () => {},
  });
  await rx.start();
  return {
    async close() {
      const stats = rx.stats();
      await rx.close();
      await relay.close();
      return { stats, relay: { ...relay.stats } };
    },
  };
}

/** openWorkerMember runs openMember in a worker thread. */
async function openWorkerMember(m: MemberSetup, arrived: (a: Arrival) => void): Promise<Member> {
  const w = new Worker(new URL(import.meta.url), { workerData: { member: m } });
  let closed!: (r: Awaited<ReturnType<Member['close']>>) => void;
  const result = new Promise<Awaited<ReturnType<Member['close']>>>((r) => (closed = r));
  await new Promise<void>((resolve, reject) => {
    w.once('error', reject);
    w.on('message', (msg: { started?: true; arrival?: Arrival; closed?: Awaited<ReturnType<Member['close']>> }) => {
      if (msg.started) resolve();
      if (msg.arrival) arrived(msg.arrival);
      if (msg.closed) closed(msg.closed);
    });
  });
  return {
    async close() {
      w.postMessage('close');
      const r = await Promise.race([result, sleep(5000).then(() => ({ stats: undefined, relay: { forwarded: 0, dropped: 0, upstream: 0 } }))]);
      await w.terminate();
      return r;
    },
  };
}

if (!isMainThread && workerData?.member) {
  const member = await openMember(workerData.member as MemberSetup, (arrival) => parentPort!.postMessage({ arrival }));
  parentPort!.on('message', async () => parentPort!.postMessage({ closed: await member.close() }));
  parentPort!.postMessage({ started: true });
}

const subtract = (a: FrameSenderStats, b: FrameSenderStats): FrameSenderStats =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, k === 'parityPercent' || k === 'worstLoss' ? v : v - (b as unknown as Record<string, number>)[k]])) as unknown as FrameSenderStats;

/** runMulticast runs one multicast stream as described (see the file comment). */
export async function runMulticast(o: McRun): Promise<McResult> {
  const port = await freeUdpPort();
  const opts: UdpOptions = { ...udpOptions(), iface: '127.0.0.1', ttl: 1, ...o.udp };
  const hub = new Hub();
  const pub = hub.publish('mc', 'test');
  const sender = new UdpDirectSender(groupAddress(port, 0), port, hub.read('mc'), opts);
  const sent = new Map<number, string>();
  const measuredSeqs = new Set<number>();
  const listening: boolean[] = o.losses.map((_, i) => o.lateJoin?.receiver !== i);
  const results: McReceiver[] = o.losses.map(() => ({ intact: 0, corrupt: 0, measured: 0, latencies: [], stats: undefined }));
  const warm = o.losses.map(() => false);
  const counted = o.losses.map(() => new Set<number>());
  const arrived = (i: number) => (a: Arrival) => {
    warm[i] = true;
    const want = sent.get(a.seq);
    if (!measuredSeqs.has(a.seq) || want === undefined || counted[i].has(a.seq)) return;
    counted[i].add(a.seq);
    if (want !== a.sha) results[i].corrupt++;
    else {
      results[i].intact++;
      results[i].latencies.push(a.latencyMs);
    }
  };
  const members: (Member | undefined)[] = o.losses.map(() => undefined);
  const open = async (i: number) => {
    const setup: MemberSetup = { port, index: i, loss: { seed: o.seed + i, ...o.losses[i] }, opts };
    members[i] = await (o.workers ? openWorkerMember : openMember)(setup, arrived(i));
  };
  const relays: LanRelayStats[] = o.losses.map(() => ({ forwarded: 0, dropped: 0, upstream: 0 }));
  const hostile = o.hostile ? await hostileMember(port) : undefined;
  try {
    for (let i = 0; i < o.losses.length; i++) if (listening[i]) await open(i);
    await sender.start();
    const interval = 1000 / (o.fps ?? 30);
    let seq = 0;
    const send = (measured: boolean) => {
      const p = o.pictures[seq % o.pictures.length];
      sent.set(seq, sha1(p.payload));
      if (measured) {
        measuredSeqs.add(seq);
        listening.forEach((l, i) => l && results[i].measured++);
      }
      pub.publish({ ...p, stream: 'mc', seq, captureUs: nowUs() });
      seq++;
    };
    // Warm up until every listening receiver has a frame and `--fec auto` has had a second of reports (bounded: 10 s).
    const warmUntil = Date.now() + 10_000;
    for (let k = 0; (!warm.every((w, i) => w || !listening[i]) || k < 30) && Date.now() < warmUntil; k++) {
      send(false);
      await sleep(interval);
    }
    const before = sender.stats()!;
    const t0 = performance.now();
    for (let k = 0; k < o.frames; k++) {
      if (o.lateJoin && k === o.lateJoin.afterFrames) {
        await open(o.lateJoin.receiver);
        listening[o.lateJoin.receiver] = true;
      }
      send(true);
      // Drift-free: a slow tick does not stretch the run.
      const wait = t0 + (k + 1) * interval - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await sleep(o.graceMs ?? 500);
    const senderStats = subtract(sender.stats()!, before);
    for (let i = 0; i < members.length; i++) {
      const r = await members[i]?.close();
      members[i] = undefined;
      if (r) {
        results[i].stats = r.stats;
        relays[i] = r.relay;
      }
    }
    return { receivers: results, sender: senderStats, relays, hostileNacks: hostile?.nacks() ?? 0 };
  } finally {
    await sender.close();
    for (const m of members) await m?.close();
    await hostile?.close();
    await hub.close();
  }
}

/** hostileMember joins the main group and asks the sender for every fragment of every frame it hears. */
async function hostileMember(port: number): Promise<{ nacks(): number; close(): Promise<void> }> {
  const group = groupAddress(port, 0);
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => s.bind(port, group, () => r()));
  s.addMembership(group, '127.0.0.1');
  let nacks = 0;
  const asked = new Set<string>();
  s.on('message', (m, from) => {
    const d = decodeDatagram(m, 64 << 20);
    if (isRejection(d) || d.type !== 'data') return;
    const h = d.fragment.header;
    const key = `${h.frameNo}/${h.index}`;
    if (asked.has(key)) return;
    asked.add(key);
    if (asked.size > 100_000) asked.clear();
    // Every fragment of the frame, again and again: once per datagram heard.
    const all = Array.from({ length: h.dataCount + h.parityCount }, (_, i) => i);
    nacks++;
    s.send(encodeNack({ streamId: h.streamId, frameNo: h.frameNo, indices: all }), from.port, from.address);
  });
  return { nacks: () => nacks, close: () => new Promise<void>((r) => s.close(() => r())) };
}
