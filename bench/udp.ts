/**
 * udp: frames delivered intact over a lossy UDP path — camwire UDP (FEC and NACK, each on and
 * off) against seed 001's countdown scheme, through the same seeded lossy relay on loopback.
 *
 * 720p30 MJPEG: TestSource 1280x720 q80 pictures (rendered once, sent round-robin, capture time
 * stamped when sent, so latency is the transport's). Loss is applied per IP fragment of 1480
 * bytes, so a seed-size 64 KB datagram is lost when any of its fragments is, as on a real LAN.
 * CAMWIRE_BENCH_UDP_FRAMES sets the frames per run (default 300 = 10 s).
 */
import { createSocket } from 'node:dgram';
import { publishTo, readFrom } from '../src/api/remote.js';
import { UdpDirectReceiver } from '../src/transports/udp/direct-receiver.js';
import { udpOptions } from '../src/transports/udp/options.js';
import type { Frame } from '../src/frame/frame.js';
import { percentiles } from '../src/hub/stats.js';
import { TestSource } from '../src/sources/testsrc/testsrc.js';
import { nowUs } from '../src/util/clock.js';
import { LossyRelay, type LossOptions } from '../support/lossy-relay.js';
import { freeUdpPort } from '../support/net.js';
import { sha1 } from '../support/udp-frames.js';
import { jpegFrames } from '../support/udp-stream.js';
import { table, type Section } from './section.js';
import { countdownDatagrams, CountdownReceiver, COUNTDOWN_MTU_SLICE, COUNTDOWN_SEED_SLICE } from './udp-countdown.js';

const FRAMES = Number(process.env.CAMWIRE_BENCH_UDP_FRAMES ?? 300);
const FPS = 30;
const INTERVAL_MS = 1000 / FPS;

/** Condition is one network: a name and the relay's impairments. */
interface Condition {
  name: string;
  loss: Omit<LossOptions, 'seed'>;
}

const CONDITIONS: Condition[] = [
  { name: '0 %', loss: {} },
  { name: '1 %', loss: { loss: 0.01 } },
  { name: '5 %', loss: { loss: 0.05 } },
  { name: '10 %', loss: { loss: 0.1 } },
  // Gilbert–Elliott: bursts of 4 datagrams on average, ~2 % of datagrams lost overall.
  { name: 'bursts (~2 %, mean 4)', loss: { burst: { enter: 0.005, exit: 0.25 } } },
];

/** Scheme is one way of sending: the baseline or camwire with FEC / NACK settings. */
interface Scheme {
  name: string;
  fec: string;
  nack: string;
  run(cond: Condition, pictures: Frame[]): Promise<Result>;
}

/** Result is what one run measured. */
interface Result {
  intact: number;
  corrupt: number;
  latencies: number[];
  wireBytes: number;
  payloadBytes: number;
}

const relayOpts = (cond: Condition): LossOptions => ({ seed: 2024, ipFragmentBytes: 1480, ...cond.loss });

/** paced calls `send(k)` for k = 0..n-1 at FPS, drift-free. */
async function paced(n: number, send: (k: number) => void): Promise<void> {
  const t0 = performance.now();
  for (let k = 0; k < n; k++) {
    send(k);
    const wait = t0 + (k + 1) * INTERVAL_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

function camwire(fec: number, nack: boolean): Scheme {
  return {
    name: 'camwire',
    fec: fec ? `rs ${fec} %` : 'off',
    nack: nack ? 'on' : 'off',
    async run(cond, pictures) {
      const port = await freeUdpPort();
      const relay = await LossyRelay.start({ host: '127.0.0.1', port }, relayOpts(cond));
      const sent = new Map<number, string>();
      const r: Result = { intact: 0, corrupt: 0, latencies: [], wireBytes: 0, payloadBytes: 0 };
      let warm = false;
      const counted = new Set<number>();
      // The receiver's own sink, not a hub Reader: what the transport delivers is measured, not
      // whether this process's event loop took each frame before the next one (newest wins).
      const rx = new UdpDirectReceiver('127.0.0.1', port, udpOptions({ udpFecPercent: fec }, { nack }), {
        frame: (f) => {
          warm = true;
          const want = sent.get(f.seq);
          if (want === undefined || counted.has(f.seq)) return;
          counted.add(f.seq);
          if (want !== sha1(f.payload)) r.corrupt++;
          else {
            r.intact++;
            r.latencies.push((nowUs() - f.captureUs) / 1000);
          }
        },
        end: () => {},
      });
      await rx.start();
      const out = await publishTo(`udp://127.0.0.1:${relay.port}`, { udpFecPercent: fec, nack });
      // Warm up (first frame through) with frames that are not counted.
      for (let k = 0; !warm && k < 100; k++) {
        out.publish({ ...pictures[0], seq: 1_000_000 + k, captureUs: nowUs() });
        await new Promise((res) => setTimeout(res, INTERVAL_MS));
      }
      const bytes0 = relay.stats.offeredBytes;
      await paced(FRAMES, (k) => {
        const p = pictures[k % pictures.length];
        sent.set(k, sha1(p.payload));
        r.payloadBytes += p.payload.length;
        out.publish({ ...p, seq: k, captureUs: nowUs() });
      });
      await new Promise((res) => setTimeout(res, 400));
      r.wireBytes = relay.stats.offeredBytes - bytes0;
      await out.close();
      await rx.close();
      await relay.close();
      return r;
    },
  };
}

function countdown(slice: number): Scheme {
  return {
    name: `countdown (seed 001), ${slice === COUNTDOWN_SEED_SLICE ? '64 KB datagrams' : `${slice}-byte slices`}`,
    fec: 'none',
    nack: 'none',
    async run(cond, pictures) {
      const r: Result = { intact: 0, corrupt: 0, latencies: [], wireBytes: 0, payloadBytes: 0 };
      // No frame id on the wire: a received buffer is intact if it equals the picture sent last
      // with that content (pictures repeat every pictures.length frames, far beyond any delay).
      const lastSent = new Map<string, { at: number; k: number }>();
      const counted = new Set<number>();
      const rx = await CountdownReceiver.open((jpeg) => {
        const s = lastSent.get(sha1(jpeg));
        if (!s || counted.has(s.k)) return void r.corrupt++;
        counted.add(s.k);
        r.intact++;
        r.latencies.push((nowUs() - s.at) / 1000);
      });
      const relay = await LossyRelay.start({ host: '127.0.0.1', port: rx.port }, relayOpts(cond));
      const tx = createSocket('udp4');
      await new Promise<void>((res) => tx.bind(0, '127.0.0.1', () => res()));
      const hashes = pictures.map((p) => sha1(p.payload));
      const datagrams = pictures.map((p) => countdownDatagrams(p.payload, slice));
      await paced(FRAMES, (k) => {
        const i = k % pictures.length;
        lastSent.set(hashes[i], { at: nowUs(), k });
        r.payloadBytes += pictures[i].payload.length;
        for (const d of datagrams[i]) tx.send(d, relay.port, '127.0.0.1'); // all at once, as the seed does
      });
      await new Promise((res) => setTimeout(res, 400));
      r.wireBytes = relay.stats.offeredBytes;
      await new Promise<void>((res) => tx.close(() => res()));
      await relay.close();
      await rx.close();
      return r;
    },
  };
}

/** liveLatency measures capture→received with a live TestSource (capture is before JPEG encoding). */
async function liveLatency(): Promise<number[]> {
  const port = await freeUdpPort();
  const reader = readFrom(`udp://@127.0.0.1:${port}`);
  const out = await publishTo(`udp://127.0.0.1:${port}`);
  const src = new TestSource({ width: 1280, height: 720, fps: FPS, quality: 80, frames: FRAMES });
  const lat: number[] = [];
  const loop = (async () => {
    for await (const f of reader) lat.push((nowUs() - f.captureUs) / 1000);
  })();
  await src.start(out);
  await Promise.race([loop, new Promise((r) => setTimeout(r, (FRAMES / FPS) * 1000 + 5000))]);
  await src.close();
  await out.close();
  await reader.close();
  return lat.slice(FPS); // the first second warms up the JIT and sharp
}

const pct = (n: number, d: number) => (d ? ((100 * n) / d).toFixed(1) : '-');
const ms = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(1));

/** section is the `udp` benchmark. */
export const section: Section = {
  name: 'udp',
  async run() {
    const pictures = await jpegFrames(30);
    const avgKb = pictures.reduce((n, p) => n + p.payload.length, 0) / pictures.length / 1024;
    const schemes = [countdown(COUNTDOWN_SEED_SLICE), countdown(COUNTDOWN_MTU_SLICE), camwire(0, false), camwire(10, false), camwire(20, false), camwire(0, true), camwire(10, true)];
    const rows: (string | number)[][] = [];
    const intact = new Map<string, number>();
    for (const cond of CONDITIONS) {
      for (const s of schemes) {
        process.stderr.write(`  udp: ${s.name} fec ${s.fec} nack ${s.nack} at ${cond.name} loss…\n`);
        const r = await s.run(cond, pictures);
        const [p50, p95] = percentiles(r.latencies, [50, 95]);
        const key = `${s.name}|${s.fec}|${s.nack}`;
        intact.set(`${key}|${cond.name}`, r.intact / FRAMES);
        rows.push([cond.name, s.name, s.fec, s.nack, pct(r.intact, FRAMES), r.corrupt, ms(p50), ms(p95), `${pct(r.wireBytes - r.payloadBytes, r.payloadBytes)} %`]);
      }
    }
    const live = await liveLatency();
    const [l50, l95] = percentiles(live, [50, 95]);
    const base = (c: string) => intact.get(`countdown (seed 001), ${COUNTDOWN_MTU_SLICE}-byte slices|none|none|${c}`) ?? 0;
    const seedBase = (c: string) => intact.get(`countdown (seed 001), 64 KB datagrams|none|none|${c}`) ?? 0;
    const ratios = CONDITIONS.map((c) => {
      const d = intact.get(`camwire|rs 10 %|on|${c.name}`) ?? 0;
      const m = intact.get(`camwire|rs 10 %|off|${c.name}`) ?? 0;
      const x = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : a > 0 ? '∞' : '-');
      return [c.name, pct(d, 1), pct(m, 1), pct(base(c.name), 1), pct(seedBase(c.name), 1), x(d, base(c.name)), x(d, seedBase(c.name))];
    });
    return [
      `## UDP: frames intact under loss (720p30 MJPEG, ${FRAMES} frames per run, ${avgKb.toFixed(0)} KiB average JPEG)`,
      '',
      table(['loss', 'scheme', 'FEC', 'NACK', 'intact %', 'corrupt delivered', 'p50 ms', 'p95 ms', 'wire overhead'], rows),
      '',
      'camwire default (rs 10 %, NACK on) and multicast (rs 10 %, no NACK) against the countdown baseline measured in the same run:',
      '',
      table(['loss', 'camwire default %', 'camwire multicast %', 'countdown 1400 B %', 'countdown 64 KB %', 'default ÷ countdown 1400 B', 'default ÷ countdown 64 KB'], ratios),
      '',
      `Live TestSource 720p30 (capture before JPEG encoding) → camwire UDP, no loss: p50 ${ms(l50)} ms, p95 ${ms(l95)} ms (target: one frame interval + 5 ms = ${(INTERVAL_MS + 5).toFixed(1)} ms).`,
    ].join('\n');
  },
};
