/**
 * procs: starting the processes a benchmark measures (camwire commands and the bare baseline).
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
