/**
 * udp-multicast: drives real JPEG frames from one multicast sender through a MulticastLan (a
 * seeded lossy relay per receiver) to N receivers and measures what each got — intact frames
 * (SHA-1 against what was sent under that seq), corrupt ones, capture→received latency — plus
 * the sender's and receivers' counters. Shared by test/transports/udp/multicast.test.ts and
 * bench/multicast.ts.
 */
import { createSocket } from 'node:dgram';
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
import { groupAddress, MulticastLan, type LanRelayStats } from './multicast-relay.js';
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
  /** payloadBytes: the JPEG bytes of the measured frames (overhead is measured against it). */
  payloadBytes: number;
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
  /** udp: config keys and choices for both ends (e.g. { nack: false, fecAuto: false, fecPercent: 10 }). */
  udp?: Partial<Pick<UdpOptions, 'fecPercent' | 'paceMbps'>> & UdpChoices;
  /** lateJoin: receiver i starts only after this many measured frames. */
  lateJoin?: { receiver: number; afterFrames: number };
  /** hostile: a member that joins the main group and NACKs every fragment of every frame it hears. */
  hostile?: boolean;
  /** graceMs: how long to wait after the last frame for repairs (default 500). */
  graceMs?: number;
}

const subtract = (a: FrameSenderStats, b: FrameSenderStats): FrameSenderStats =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, k === 'parityPercent' || k === 'worstLoss' ? v : v - (b as unknown as Record<string, number>)[k]])) as unknown as FrameSenderStats;

/** runMulticast runs one multicast stream as described (see the file comment). */
export async function runMulticast(o: McRun): Promise<McResult> {
  const port = await freeUdpPort();
  const lan = await MulticastLan.start(port, o.losses.map((l, i) => ({ seed: o.seed + i, ...l })));
  const base = { ...udpOptions(), iface: '127.0.0.1', ttl: 1, ...o.udp };
  const hub = new Hub();
  const pub = hub.publish('mc', 'test');
  const sender = new UdpDirectSender(lan.group, port, hub.read('mc'), base);
  const sent = new Map<number, string>();
  const measuredSeqs = new Set<number>();
  const listening: boolean[] = o.losses.map((_, i) => o.lateJoin?.receiver !== i);
  const results: McReceiver[] = o.losses.map(() => ({ intact: 0, corrupt: 0, measured: 0, latencies: [], stats: undefined }));
  const warm = o.losses.map(() => false);
  const counted = o.losses.map(() => new Set<number>());
  const receivers = o.losses.map(
    (_, i) =>
      new UdpDirectReceiver(lan.receiverGroup(i), port, base, {
        frame: (f) => {
          warm[i] = true;
          const want = sent.get(f.seq);
          if (!measuredSeqs.has(f.seq) || want === undefined || counted[i].has(f.seq)) return;
          counted[i].add(f.seq);
          if (want !== sha1(f.payload)) results[i].corrupt++;
          else {
            results[i].intact++;
            results[i].latencies.push((nowUs() - f.captureUs) / 1000);
          }
        },
        end: () => {},
      }),
  );
  const hostile = o.hostile ? await hostileMember(port) : undefined;
  try {
    for (let i = 0; i < receivers.length; i++) if (listening[i]) await receivers[i].start();
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
    // Warm up until every listening receiver has a frame (bounded: 10 s), and `--fec auto` has reports.
    const warmUntil = Date.now() + 10_000;
    let warmFrames = 0;
    while ((!warm.every((w, i) => w || !listening[i]) || warmFrames < 30) && Date.now() < warmUntil) {
      send(false);
      warmFrames++;
      await sleep(interval);
    }
    const before = sender.stats()!;
    let payloadBytes = 0;
    const t0 = performance.now();
    for (let k = 0; k < o.frames; k++) {
      if (o.lateJoin && k === o.lateJoin.afterFrames) {
        await receivers[o.lateJoin.receiver].start();
        listening[o.lateJoin.receiver] = true;
      }
      payloadBytes += o.pictures[seq % o.pictures.length].payload.length;
      send(true);
      // Drift-free: a slow tick does not stretch the run.
      const wait = t0 + (k + 1) * interval - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await sleep(o.graceMs ?? 500);
    const senderStats = subtract(sender.stats()!, before);
    receivers.forEach((r, i) => listening[i] && (results[i].stats = r.stats()));
    return { receivers: results, sender: senderStats, payloadBytes, relays: lan.stats(), hostileNacks: hostile?.nacks() ?? 0 };
  } finally {
    await sender.close();
    for (const r of receivers) await r.close();
    await hostile?.close();
    await hub.close();
    await lan.close();
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
