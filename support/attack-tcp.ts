/**
 * attack-tcp: the TCP rows of issue 12's attack table as reusable drivers, so the short attack
 * tests (test/transports/tcp/attack.test.ts) and the 60-second bench (bench/attack-tcp.ts) run
 * the very same attack. A hub runs as a real `camwire serve` child (its RSS is what is judged);
 * a replayed 320x240 stream is published into it and a good viewer reads it from 127.0.0.1,
 * while attackers come from other loopback addresses (127.0.0.2, …), as other hosts would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { publishTo, readFrom, type RemotePublisher } from '../src/api/remote.js';
import { Decoder } from '../src/transports/tcp/decoder.js';
import { randomBytes } from 'node:crypto';
import { encodeProof, header, MessageType } from '../src/transports/tcp/messages.js';
import { ClientHandshake } from '../src/transports/tcp/handshake.js';
import { freePort, waitForPort } from './net.js';
import { renderFrames, Replay } from './replay.js';

const BIN = fileURLToPath(new URL('../../bin/camwire.js', import.meta.url));

/** rssMiB reads a process's resident set size from /proc (Linux). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** AttackHub is a `camwire serve` child with a stream `cam` published at `fps` and a good viewer. */
export interface AttackHub {
  port: number;
  proc: ChildProcess;
  replay: Replay;
  /** good: frames the good viewer received so far. */
  good: { frames: number };
  /** watch starts the good viewer now (after an attack is in place, as a new viewer would). */
  watch(): void;
  /** stopWatching disconnects the good viewer. */
  stopWatching(): Promise<void>;
  close(): Promise<void>;
}

/** startAttackHub starts the hub (env: extra CAMWIRE_* settings; CAMWIRE_TOKEN also given to the publisher and viewer), the publisher and the replay. */
export async function startAttackHub(env: NodeJS.ProcessEnv = {}, fps = 15): Promise<AttackHub> {
  const token = env.CAMWIRE_TOKEN ? { token: env.CAMWIRE_TOKEN } : {};
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, 'serve', '--tcp', String(port), '--http', '0', '--host', '127.0.0.1'], {
    stdio: 'ignore',
    env: { ...process.env, CAMWIRE_LOG: 'error', ...env },
  });
  await waitForPort(port, 20000);
  const frames = await renderFrames({ width: 320, height: 240, fps, quality: 70 }, 8, 'cam');
  const pub: RemotePublisher = await publishTo(`tcp://127.0.0.1:${port}/cam`, { reconnect: true, ...token });
  const replay = new Replay(pub, frames, fps).start();
  const good = { frames: 0 };
  let stopViewer = async () => {};
  return {
    port,
    proc,
    replay,
    good,
    watch() {
      const r = readFrom(`tcp://127.0.0.1:${port}/cam`, { reconnect: true, reconnectInitialMs: 50, reconnectMaxMs: 250, ...token });
      const done = (async () => {
        for await (const _ of r) good.frames++;
      })().catch(() => {});
      stopViewer = async () => (await r.close(), await done);
    },
    stopWatching: () => stopViewer(),
    async close() {
      replay.stop();
      await stopViewer();
      await pub.close();
      proc.kill('SIGKILL');
    },
  };
}

/** AttackStats counts what attackers saw: connections opened and the ERROR codes they were refused with. */
export interface AttackStats {
  connections: number;
  refusals: Record<string, number>;
  /** welcomes: handshakes the hub accepted (an attack that logs in or gets a slot past its limits). */
  welcomes: number;
}

/** peer opens one raw connection from `from`; resolves the socket once connected (rejects on error). */
function peer(port: number, from: string, stats: AttackStats): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: from }, () => {
      stats.connections++;
      resolve(s);
    });
    s.once('error', reject);
    const d = new Decoder();
    s.on('data', (c) => {
      try {
        for (let ms = d.push(c); ms.length; ms = d.push(Buffer.alloc(0))) {
          for (const m of ms) {
            if (m.type === 'error') stats.refusals[m.error.code] = (stats.refusals[m.error.code] ?? 0) + 1;
            if (m.type === 'welcome') stats.welcomes++;
            if (m.type === 'challenge') s.emit('challenge');
          }
        }
      } catch {
        /* not what a hub sends; the counts say so */
      }
    });
  });
}

/**
 * keep runs `n` attacker connections from each address in `from` until `until`, opening a new
 * one whenever one closes (after RECONNECT_MS, as a determined attacker would); `use` does the
 * attack on each connected socket. Resolves with the counts once `until` passed and all closed.
 */
async function keep(port: number, from: string[], n: number, until: number, use: (s: Socket) => void): Promise<AttackStats> {
  const stats: AttackStats = { connections: 0, refusals: {}, welcomes: 0 };
  const open = new Set<Socket>();
  const loop = async (addr: string) => {
    while (Date.now() < until) {
      let s: Socket;
      try {
        s = await peer(port, addr, stats);
      } catch {
        await new Promise((r) => setTimeout(r, RECONNECT_MS));
        continue;
      }
      s.on('error', () => {});
      open.add(s);
      use(s);
      await new Promise<void>((r) => {
        s.once('close', () => r());
        const t = setTimeout(() => s.destroy(), Math.max(0, until - Date.now()));
        s.once('close', () => clearTimeout(t));
      });
      open.delete(s);
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  };
  await Promise.all(from.flatMap((a) => Array.from({ length: n }, () => loop(a))));
  for (const s of open) s.destroy();
  return stats;
}

/** RECONNECT_MS: each attacker connection comes back 4 times a second (600/s for 150 of them). */
const RECONNECT_MS = 250;

/** attackerAddresses: `count` loopback addresses other than 127.0.0.1 (where the good viewer is). */
export const attackerAddresses = (count: number): string[] => Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);

/**
 * frameFirst is "memory before auth": each connection starts with a FRAME declaring 16 MiB (no
 * HELLO) and pushes up to `bodyBytes` of its body, keeping ≤ 1 MiB in its own send buffer.
 */
export function frameFirst(port: number, from: string[], perAddress: number, until: number, bodyBytes = 4 * 1024 * 1024): Promise<AttackStats> {
  const junk = Buffer.alloc(256 * 1024, 0xab);
  return keep(port, from, perAddress, until, (s) => {
    s.write(header(MessageType.FRAME, 20 + 16 * 1024 * 1024));
    let sent = 0;
    const t = setInterval(() => {
      while (sent < bodyBytes && s.writable && s.writableLength < 1024 * 1024) {
        s.write(junk);
        sent += junk.length;
      }
    }, 10);
    s.once('close', () => clearInterval(t));
  });
}

/** idleFlood is "slot lockout": `perAddress` connections from each address that never say anything. */
export function idleFlood(port: number, from: string[], perAddress: number, until: number): Promise<AttackStats> {
  return keep(port, from, perAddress, until, () => {});
}

/** slowHello is "slowloris": each connection declares a 4000-byte HELLO and sends one byte of it a second. */
export function slowHello(port: number, from: string[], perAddress: number, until: number): Promise<AttackStats> {
  return keep(port, from, perAddress, until, (s) => {
    s.write(header(MessageType.HELLO, 4000));
    const t = setInterval(() => s.writable && s.write('{'), 1000);
    s.once('close', () => clearInterval(t));
  });
}

/** oversized declares lengths no hub may buffer (a 4 GiB FRAME, a 2 GiB HELLO) and follows each with 64 KiB of body. */
export function oversized(port: number, from: string[], perAddress: number, until: number): Promise<AttackStats> {
  const body = Buffer.alloc(64 * 1024, 0x7b);
  let i = 0;
  return keep(port, from, perAddress, until, (s) => {
    s.write(i++ % 2 ? header(MessageType.FRAME, 0xffffffff) : header(MessageType.HELLO, 0x7fffffff));
    s.write(body);
  });
}

/**
 * bruteForce guesses the --token credential: a proper HELLO for user '' (padded, with a nonce),
 * then a random 32-byte PROOF for each CHALLENGE — as fast as the hub answers.
 */
export function bruteForce(port: number, from: string[], perAddress: number, until: number): Promise<AttackStats> {
  return keep(port, from, perAddress, until, (s) => {
    s.write(new ClientHandshake({ user: '', secret: 'guess' }, 'attacker').hello('view', 'cam'));
    s.once('challenge', () => s.writable && s.write(encodeProof({ proof: randomBytes(32).toString('base64') })));
  });
}

/** ATTACKS: the drivers inChild can run. */
const ATTACKS = { idleFlood, frameFirst, slowHello, oversized, bruteForce };

/** AttackKind names one driver. */
export type AttackKind = keyof typeof ATTACKS;

/**
 * inChild runs idleFlood or frameFirst in a separate node process, so the attacker's own CPU
 * does not starve the good viewer measured in this one (as on two real machines).
 */
export function inChild(kind: AttackKind, port: number, addresses: number, perAddress: number, ms: number): Promise<AttackStats> {
  const self = fileURLToPath(import.meta.url);
  const code = `const m = await import(${JSON.stringify(self)}); const s = await m.${kind}(${port}, m.attackerAddresses(${addresses}), ${perAddress}, Date.now() + ${ms}); process.stdout.write(JSON.stringify(s)); process.exit(0);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => child.on('exit', () => (out ? resolve(JSON.parse(out) as AttackStats) : reject(new Error(`attacker process failed (${kind})`)))));
}

/** peakRss samples a process's RSS every 100 ms until stopped; returns [before, peak, stop]. */
export function sampleRss(pid: number): { before: number; peak: () => number; stop: () => void } {
  const before = rssMiB(pid);
  let peak = before;
  const t = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  return { before, peak: () => peak, stop: () => clearInterval(t) };
}
