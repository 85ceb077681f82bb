/**
 * peers-measure: runs one pipeline (the processes a peer system needs, fed by bench/peers-camera
 * or camwire's own testsrc) and measures it from its pictures with `camwire latency` — the same
 * measuring client for camwire and every peer: capture → decoded pixels, percentiles, CPU of every
 * process involved (children included), bytes the receiving client read, and whether the
 * measuring client itself was saturated (then the figure is the client's, not the system's).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sleep } from '../src/util/sleep.js';
import { procCpuMs } from './section.js';

const BIN = fileURLToPath(new URL('../../bin/camwire.js', import.meta.url));
const CAMERA = fileURLToPath(new URL('./peers-camera.js', import.meta.url));

/** WARMUP_S: connection set-up, probing and the first keyframe are left out of every figure. */
export const WARMUP_S = 3;
/** MEASURE_S: seconds measured per row. */
export const MEASURE_S = Number(process.env.CAMWIRE_BENCH_PEER_SECONDS ?? 8);
/** SATURATED: a measuring client using this share of a core or more cannot be trusted to keep up. */
const SATURATED = 0.9;

/** Proc is a started process of a pipeline, named for the CPU column. */
export interface Proc {
  name: string;
  child: ChildProcess;
  stderr(): string;
}

/** run starts `cmd ARGS` (stdin from `stdin` if given); stderr is kept (last 4 KiB) for error messages. */
export function run(name: string, cmd: string, args: string[], stdin?: ChildProcess): Proc {
  const child = spawn(cmd, args, { stdio: [stdin ? stdin.stdout! : 'ignore', 'ignore', 'pipe'], env: { ...process.env, CAMWIRE_LOG: 'warn' } });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)));
  child.on('error', (e) => (err += String(e)));
  return { name, child, stderr: () => err };
}

/** cameraInto starts the raw camera piped into `cmd ARGS` (the peer's sender); both are returned. */
export function cameraInto(name: string, size: Size, fps: number, cmd: string, args: string[]): Proc[] {
  const cam = spawn(process.execPath, [CAMERA, String(size.width), String(size.height), String(fps)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const camera: Proc = { name: 'camera (raw RGB)', child: cam, stderr: () => '' };
  return [camera, run(name, cmd, args, cam)];
}

/** camwire starts `camwire ARGS` as a pipeline process. */
export const camwire = (name: string, args: string[]): Proc => run(name, process.execPath, [BIN, ...args]);

/** Size is a picture size. */
export interface Size {
  width: number;
  height: number;
}

/** Measurement is what one row reports. */
export interface Measurement {
  framesRead: number;
  unreadable: number;
  frames: number;
  fps: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** cpu: share of one core per process name, over the measured seconds. */
  cpu: { name: string; share: number }[];
  /** mbps: what the measuring client received (TCP: the kernel's count for its sockets; UDP: the counting relay), Mbit/s. */
  mbps: number;
  /** clientCpu: the measuring client's share of a core (node + its ffmpeg), and whether that saturated it. */
  clientCpu: number;
  saturated: boolean;
  error?: string;
}

/** descendants returns the pids whose parent is `pid`, recursively. */
export function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (byParent.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

/** cpuByPid reads each pid's CPU ms; a pid that has exited is left out (its time is lost, never negative). */
function cpuByPid(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of pids) {
    try {
      m.set(p, procCpuMs(p));
    } catch {
      // exited
    }
  }
  return m;
}

/** cpuSince sums, over pids alive at both reads, the CPU used since `before`. */
function cpuSince(before: Map<number, number>, pids: number[]): number {
  let total = 0;
  for (const [p, ms] of cpuByPid(pids)) if (before.has(p)) total += Math.max(0, ms - before.get(p)!);
  return total;
}

/** tcpBytesReceived maps each TCP socket of `pids` (by its addresses) to what it has received (the kernel's count, from `ss`). */
export function tcpBytesReceived(pids: number[]): Map<string, number> {
  const byConn = new Map<string, number>();
  let out = '';
  try {
    out = execFileSync('ss', ['-tinpH', 'state', 'established'], { encoding: 'utf8' });
  } catch {
    return byConn;
  }
  let conn: string | undefined;
  for (const line of out.split('\n')) {
    if (!/^\s/.test(line)) conn = pids.some((p) => line.includes(`pid=${p},`)) ? line.trim().split(/\s+/).slice(2, 4).join(' ') : undefined;
    else if (conn) byConn.set(conn, Number(/bytes_received:(\d+)/.exec(line)?.[1] ?? 0));
  }
  return byConn;
}

/** bytesSince sums what sockets received since `before` (a socket opened meanwhile counts from 0). */
function bytesSince(before: Map<string, number>, now: Map<string, number>): number {
  let total = 0;
  for (const [k, v] of now) total += Math.max(0, v - (before.get(k) ?? 0));
  return total;
}

/**
 * udpCounter relays datagrams from a port of its own to 127.0.0.1:`to`, counting their bytes:
 * UDP sockets keep no byte count, so a UDP peer sends here and the client listens on `to`.
 */
export async function udpCounter(to: number): Promise<{ port: number; bytes(): number; close(): void }> {
  const sock = createSocket('udp4');
  let bytes = 0;
  const out = createSocket('udp4');
  sock.on('message', (m) => {
    bytes += m.length;
    out.send(m, to, '127.0.0.1');
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, bytes: () => bytes, close: () => (sock.close(), out.close()) };
}
function safe(f: () => number): number {
  try {
    return f();
  } catch {
    return 0;
  }
}

/** LatencyClient: how the measuring client opens the URL (`--via ffmpeg` for MPEG-TS on udp:// or tcp://). */
export interface ClientSpec {
  url: string;
  via?: 'ffmpeg';
  /** format: ffmpeg's input format when it cannot tell from probing (`camwire latency --format`). */
  format?: string;
  /** bytes: what the client has received so far, when its TCP sockets do not say it (UDP). */
  bytes?: () => number;
}

/**
 * measure starts `camwire latency` on `client` after `procs` are up, leaves WARMUP_S out, and
 * measures MEASURE_S seconds. `during` runs after the warm-up (e.g. attaching a slow client).
 */
export async function measure(procs: Proc[], client: ClientSpec, during?: () => Promise<void> | void): Promise<Measurement> {
  const args = ['latency', client.url, '--json', '--warmup', String(WARMUP_S), '--seconds', String(WARMUP_S + MEASURE_S + 1), ...(client.via ? ['--via', client.via] : []), ...(client.format ? ['--format', client.format] : [])];
  let out = '';
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CAMWIRE_LOG: 'warn' } });
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)));
  const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  // The client's warm-up runs from its own start (node takes seconds to start on a loaded box):
  // its first per-second line says it is 1 s in.
  for (let i = 0; i < 300 && !out.includes('{') && child.exitCode === null; i++) await sleep(100);
  await sleep((WARMUP_S - 1) * 1000);
  await during?.();
  const all = () => [...procs.map((p) => ({ name: p.name, pids: [p.child.pid!, ...descendants(p.child.pid!)] })), { name: 'measuring client', pids: [child.pid!, ...descendants(child.pid!)] }];
  const groups0 = all();
  const cpu0 = groups0.map((g) => cpuByPid(g.pids));
  const clientPids = () => [child.pid!, ...descendants(child.pid!)];
  const udp0 = client.bytes?.() ?? 0;
  const tcp0 = tcpBytesReceived(clientPids());
  const t0 = performance.now();
  await sleep(MEASURE_S * 1000);
  const secs = (performance.now() - t0) / 1000;
  // Only processes alive at both reads count: one started or ended meanwhile is left out, never negative.
  const cpu = all().map((g, i) => ({ name: g.name, share: cpuSince(cpu0[i] ?? new Map(), g.pids) / 1000 / secs }));
  const bytes = client.bytes ? client.bytes() - udp0 : bytesSince(tcp0, tcpBytesReceived(clientPids()));
  // A process that ended during the measured seconds failed; ending after the client closed is normal.
  const failed = procs.find((p) => p.child.exitCode !== null && p.child.exitCode !== 0);
  const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') child.kill('SIGKILL');
  const lines = out.trim().split('\n').filter((l) => l.startsWith('{'));
  const s = lines.length ? JSON.parse(lines[lines.length - 1]) : undefined;
  const clientCpu = cpu[cpu.length - 1].share;
  const error = !s || s.type !== 'summary' ? `measuring client: ${err.trim().split('\n').pop() || `exit ${code}`}` : failed ? `${failed.name} exited: ${failed.stderr().trim().split('\n').pop()}` : undefined;
  return {
    framesRead: s?.framesRead ?? 0,
    unreadable: s?.unreadable ?? 0,
    frames: s?.frames ?? 0,
    fps: s?.fps ?? 0,
    p50: s?.latencyP50Ms ?? null,
    p95: s?.latencyP95Ms ?? null,
    p99: s?.latencyP99Ms ?? null,
    cpu,
    mbps: (bytes * 8) / 1e6 / secs,
    clientCpu,
    saturated: clientCpu >= SATURATED,
    error,
  };
}

/** stop ends every process of a pipeline (SIGTERM, then SIGKILL) and waits for them. */
export async function stop(procs: Proc[]): Promise<void> {
  await Promise.all(
    procs.map(async (p) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      const gone = new Promise((r) => p.child.once('close', r));
      p.child.kill('SIGTERM');
      await Promise.race([gone, sleep(2000)]);
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }),
  );
}

/** waitListening waits until a TCP socket listens on 127.0.0.1:port (read from /proc, so nothing connects to it and uses up a one-shot listener). */
export async function waitListening(port: number, timeoutMs = 10_000): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const table = safeRead(f);
      if (table.split('\n').some((l) => { const c = l.trim().split(/\s+/); return c[1]?.endsWith(`:${hex}`) && c[3] === '0A'; })) return true;
    }
    await sleep(50);
  }
  return false;
}

function safeRead(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}
