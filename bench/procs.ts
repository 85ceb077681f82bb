/**
 * procs: starting the processes a benchmark measures (camwire commands and the bare baseline).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/camwire.js', import.meta.url));
const BARE = fileURLToPath(new URL('./bare.js', import.meta.url));

/** Child is a started process with its stdout collected. */
export interface Child {
  proc: ChildProcess;
  out(): string;
  /** ready resolves when stdout or stderr matches `re`. */
  ready(re: RegExp): Promise<void>;
  /** exit resolves with stdout when the process ends. */
  exit(): Promise<string>;
  kill(): void;
}

function start(args: string[]): Child {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CAMWIRE_LOG: 'warn' } });
  let out = '';
  let all = '';
  proc.stdout!.on('data', (d) => ((out += d), (all += d)));
  proc.stderr!.on('data', (d) => (all += d));
  const exited = new Promise<string>((r) => proc.on('exit', () => r(out)));
  return {
    proc,
    out: () => out,
    ready: (re) =>
      new Promise((resolve, reject) => {
        const t = setInterval(() => {
          if (re.test(all)) (clearInterval(t), resolve());
          if (proc.exitCode !== null) (clearInterval(t), reject(new Error(`exited: ${all}`)));
        }, 20);
      }),
    exit: () => exited,
    kill: () => proc.kill('SIGINT'),
  };
}

/** camwire starts `camwire ARGS`. */
export const camwire = (args: string[]): Child => start([BIN, ...args]);
/** bare starts the bare-socket baseline in one of its modes. */
export const bare = (args: string[]): Child => start([BARE, ...args]);

/**
 * ONE_HOST_LIMITS: a hub's per-address limits raised for benches whose hundred viewers all come
 * from 127.0.0.1. On a LAN each screen is its own host; with the defaults (64 connections and a
 * burst of 40 handshakes per host) a fan-out row measured the admission limits instead of the
 * fan-out (100 viewers: the worst got 0 frames).
 */
export const ONE_HOST_LIMITS = { maxConnectionsPerAddress: 1024, handshakeBurst: 1024, handshakesPerSecond: 1024 };

/** oneHostConfig writes ONE_HOST_LIMITS to a config file for `camwire serve --config`. */
export function oneHostConfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'camwire-bench-cfg-')), 'config.json');
  writeFileSync(file, JSON.stringify(ONE_HOST_LIMITS));
  return file;
}
