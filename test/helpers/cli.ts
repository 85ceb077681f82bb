/**
 * cli: runs the real `camwire` binary as a child process for end-to-end tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** CAMWIRE_BIN is the absolute path of bin/camwire.js. */
export const CAMWIRE_BIN = fileURLToPath(new URL('../../../bin/camwire.js', import.meta.url));

/** Proc is a running camwire process with its collected output. */
export interface Proc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** waitFor resolves when stdout+stderr matches `re` (rejects after timeoutMs or on exit). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** exited resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** stop sends SIGINT (then SIGKILL after 5 s) and waits for exit. */
  stop(): Promise<number | string>;
}

/** camwire starts `camwire ARGS...` with CAMWIRE_LOG=debug unless env says otherwise. */
export function camwire(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [CAMWIRE_BIN, ...args], { env: { ...process.env, CAMWIRE_LOG: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    listeners.forEach((l) => l());
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    listeners.forEach((l) => l());
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  exited.then(() => listeners.forEach((l) => l()));
  let done = false;
  exited.then(() => (done = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = (out + err).match(re);
          if (m) {
            cleanup();
            resolve(m);
          } else if (done) {
            cleanup();
            reject(new Error(`process exited before ${re} appeared; output:\n${out}${err}`));
          }
        };
        const t = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${re}; output:\n${out}${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(t);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (!done) {
        child.kill('SIGINT');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      return exited;
    },
  };
}
