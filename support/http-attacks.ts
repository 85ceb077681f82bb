/**
 * http-attacks: one run of an issue-12 HTTP/WebSocket attack against a real `camwire serve`
 * process, measured from a good viewer's side. Shared by the attack tests (short windows) and
 * `npm run bench -- attack-http` (60 s windows).
 *
 * A run: start the hub (its own process, so its RSS is its own), publish a 320x240 JPEG stream at
 * FPS into it over TCP, start the attackers (a low-priority process, http-attackers.ts), let them ramp
 * up, then connect a good viewer — MJPEG for slowloris (the issue's row), the viewer WebSocket
 * with acks otherwise — and poll /healthz from another address. The good viewer's share is the
 * frames it received out of those published during the window; the hub's RSS is sampled
 * throughout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setPriority } from 'node:os';
import { WebSocket } from 'ws';
import { publishTo } from '../src/api/remote.js';
import { decodeFrameMessage } from '../src/transports/ws/frame-message.js';
import type { AttackOptions, AttackReport, HttpAttack } from './http-attackers.js';
import { freePort, waitForPort } from './net.js';
import { renderFrames, Replay } from './replay.js';

const BIN = fileURLToPath(new URL('../../bin/camwire.js', import.meta.url));
const ATTACKERS = fileURLToPath(new URL('./http-attackers.js', import.meta.url));

/** FPS of the published stream. */
export const FPS = 25;
/** STREAM is the stream the good viewer watches and the attackers aim at. */
export const STREAM = 'cam';
/**
 * LEAKY_SOURCE: a camera URL with the secrets the issue found leaking — a password holding `@`
 * and `/`, and credentials in the query. The hub pulls it (it need not answer: the publisher
 * label exists from the start).
 */
export const LEAKY_SOURCE = 'http://admin:p@ss/w0rd-7q@127.0.0.1:9/cam.mjpeg?user=admin&password=hunter2-7q&token=tok-7q';
/** LEAKY_SECRETS: the parts of LEAKY_SOURCE no answer may contain. */
export const LEAKY_SECRETS = ['p@ss/w0rd-7q', 'w0rd-7q', 'hunter2-7q', 'tok-7q'];

/** AttackRun is what one run measured. */
export interface AttackRun {
  attack: HttpAttack | 'none';
  windowMs: number;
  published: number;
  received: number;
  /** share: received / published over the window (the issue's target: ≥ 0.95). */
  share: number;
  healthTried: number;
  healthOk: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  report: AttackReport;
  /** hubDied: how the hub process ended during the run (exit code or signal, and its last log lines), if it did. */
  hubDied?: string;
  /** logLeaks: for credentials-leak, lines of the hub's log (at debug level) holding a secret. */
  logLeaks?: number;
}

/** RunOptions: the measured window and the attackers' head start. */
export interface RunOptions {
  windowMs: number;
  rampMs?: number;
  /** hubArgs: extra `camwire serve` arguments. */
  hubArgs?: string[];
}

/**
 * ATTACKER_NICE: the flood's attacker spins as fast as it can and would otherwise take the cores
 * the hub and the good viewer need (on a LAN it is another machine), so it runs at the lowest
 * priority; the other attacks do little work per connection and run at normal priority.
 */
const ATTACKER_NICE: Record<HttpAttack, number> = { slowloris: 0, 'subscribe-flood': 19, 'dns-rebinding': 0, 'credentials-leak': 0, 'header-flood': 19, 'auth-brute-force': 19 };

/** BRUTE_TOKEN: the hub's token while it is being guessed (the good viewer presents it). */
const BRUTE_TOKEN = 'brute-force-target-token-9d7e4c';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** runHttpAttack runs `attack` (or 'none', the baseline) once; see the file comment. */
export async function runHttpAttack(attack: HttpAttack | 'none', o: RunOptions): Promise<AttackRun> {
  const rampMs = o.rampMs ?? 2500;
  const [tcpPort, httpPort] = [await freePort(), await freePort()];
  const extra = attack === 'credentials-leak' ? ['--stream', `leak=${LEAKY_SOURCE}`] : [];
  // Brute force needs something to guess: the hub gets a token (from a file, as users should).
  const token = attack === 'auth-brute-force' ? BRUTE_TOKEN : undefined;
  const dir = token ? mkdtempSync(join(tmpdir(), 'camwire-http-attack-')) : undefined;
  if (dir) {
    writeFileSync(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
    extra.push('--token-file', join(dir, 'token'));
  }
  const hub = spawn(process.execPath, [BIN, 'serve', '--tcp', String(tcpPort), '--http', String(httpPort), '--host', '127.0.0.1', ...extra, ...(o.hubArgs ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // credentials-leak reads the whole log too: every line the hub writes, at its most verbose.
    env: { ...process.env, CAMWIRE_LOG: attack === 'credentials-leak' ? 'debug' : 'error' },
  });
  let stderr = '';
  let logLeaks = 0;
  hub.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    if (attack === 'credentials-leak') logLeaks += text.split('\n').filter((line) => LEAKY_SECRETS.some((s) => line.includes(s))).length;
    stderr = (stderr + text).slice(-4000);
  });
  let stopping = false;
  let hubDied: string | undefined;
  const exited = new Promise<void>((r) =>
    hub.once('exit', (code, signal) => {
      if (!stopping) hubDied = `exit ${code ?? signal}: ${stderr.slice(-600)}`;
      r();
    }),
  );
  const stopHub = async () => {
    stopping = true;
    hub.kill('SIGINT'); // a clean exit (profiles, logs); killed if it hangs
    const t = setTimeout(() => hub.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  const cleanup: (() => unknown)[] = [() => dir && rmSync(dir, { recursive: true, force: true }), stopHub];
  try {
    await waitForPort(httpPort, 15_000);
    await waitForPort(tcpPort, 15_000);
    const pub = await publishTo(`tcp://127.0.0.1:${tcpPort}/${STREAM}`, token ? { token } : {});
    cleanup.push(() => pub.close());
    const replay = new Replay(pub, await renderFrames({ width: 320, height: 240, fps: FPS, quality: 70 }, FPS, STREAM), FPS).start();
    cleanup.push(() => replay.stop());
    await sleep(500);

    const rssStartMiB = rssMiB(hub.pid!);
    let rssPeakMiB = rssStartMiB;
    const sampler = setInterval(() => (rssPeakMiB = Math.max(rssPeakMiB, rssMiB(hub.pid!) || 0)), 200);
    cleanup.push(() => clearInterval(sampler));

    const durationMs = rampMs + 1000 + o.windowMs + 500;
    const options: Omit<AttackOptions, 'untilMs'> & { durationMs: number } = { port: httpPort, durationMs, stream: STREAM, secrets: LEAKY_SECRETS };
    let ready!: () => void;
    const started = new Promise<void>((r) => (ready = r));
    const report: Promise<AttackReport> =
      attack === 'none'
        ? (ready(), sleep(durationMs).then(() => ({ attempts: 0, successes: 0, held: 0 })))
        : new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [ATTACKERS, attack, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
            try {
              setPriority(child.pid!, ATTACKER_NICE[attack]);
            } catch {
              // not allowed here: the attacker runs at normal priority
            }
            let out = '';
            child.stdout!.on('data', (d) => {
              out += d;
              if (out.startsWith('ready\n')) ready();
            });
            child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as AttackReport) : reject(new Error(`attacker exited with ${code}`))));
            cleanup.push(() => child.kill('SIGKILL'));
          });
    await started;
    await sleep(rampMs);

    const seqs = new Set<number>();
    const viewer = attack === 'slowloris' ? mjpegViewer(httpPort, seqs) : wsViewer(httpPort, seqs, token);
    cleanup.push(() => viewer.close());
    await sleep(1000); // connect and settle
    const health = { tried: 0, ok: 0 };
    const poller = pollHealth(httpPort, health, Date.now() + o.windowMs);
    const first = replay.published;
    await sleep(o.windowMs);
    const last = replay.published;
    await poller;
    await sleep(500); // frames still on their way
    let received = 0;
    for (let s = first; s < last; s++) if (seqs.has(s)) received++;
    const published = last - first;
    return {
      attack,
      windowMs: o.windowMs,
      published,
      received,
      share: published ? received / published : 0,
      healthTried: health.tried,
      healthOk: health.ok,
      rssStartMiB,
      rssPeakMiB,
      report: await report,
      ...(attack === 'credentials-leak' ? { logLeaks } : {}),
      ...(hubDied !== undefined ? { hubDied } : {}),
    };
  } catch (e) {
    throw new Error(`${(e as Error).message}; hub stderr: ${stderr}`);
  } finally {
    for (const c of cleanup.reverse()) await c();
  }
}

/** pollHealth GETs /healthz on a fresh connection every 250 ms until `until`, counting 200s. */
async function pollHealth(port: number, h: { tried: number; ok: number }, until: number): Promise<void> {
  while (Date.now() < until) {
    h.tried++;
    const answer = await new Promise<string>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      let got = '';
      const t = setTimeout(() => (s.destroy(), resolve(got)), 2000);
      s.on('error', () => {});
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      s.on('close', () => (clearTimeout(t), resolve(got)));
      s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    });
    if (answer.startsWith('HTTP/1.1 200 ')) h.ok++;
    await sleep(250);
  }
}

interface Viewer {
  close(): void;
}

/** mjpegViewer reads /streams/STREAM.mjpeg, recording each part's X-Camwire-Seq; reconnects if refused. */
function mjpegViewer(port: number, seqs: Set<number>): Viewer {
  let closed = false;
  let sock: Socket | undefined;
  const open = () => {
    if (closed) return;
    const s = connect({ port, host: '127.0.0.1' });
    sock = s;
    let pending = Buffer.alloc(0);
    let skip = 0;
    s.on('error', () => {});
    s.on('close', () => void setTimeout(open, 250));
    s.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, pending.length);
          pending = pending.subarray(n);
          skip -= n;
          if (skip > 0) return;
        }
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        const seq = /X-Camwire-Seq: (\d+)/i.exec(head);
        const len = /Content-Length: (\d+)/i.exec(head);
        if (seq) seqs.add(Number(seq[1]));
        if (seq && len) skip = Number(len[1]);
      }
    });
    s.write(`GET /streams/${STREAM}.mjpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  };
  open();
  return {
    close: () => {
      closed = true;
      sock?.destroy();
    },
  };
}

/** wsViewer is the viewer page's protocol: one socket, subscribe with acks, ack every frame; reconnects if refused. */
function wsViewer(port: number, seqs: Set<number>, token?: string): Viewer {
  let closed = false;
  let ws: WebSocket | undefined;
  const open = () => {
    if (closed) return;
    const w = new WebSocket(`ws://127.0.0.1:${port}/ws${token ? `?token=${token}` : ''}`);
    ws = w;
    w.on('error', () => {});
    w.on('close', () => void setTimeout(open, 250));
    w.on('open', () => w.send(JSON.stringify({ type: 'subscribe', streams: [STREAM], ack: true })));
    w.on('message', (d, bin) => {
      if (!bin) return;
      const f = decodeFrameMessage(d as Buffer);
      seqs.add(f.seq);
      w.send(JSON.stringify({ type: 'ack', stream: f.stream }));
    });
  };
  open();
  return {
    close: () => {
      closed = true;
      ws?.terminate();
    },
  };
}
