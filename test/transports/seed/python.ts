/**
 * python: runs the Python peers under test/transports/seed/peers with Debian's python3-numpy and
 * python3-opencv (.ci/run installs them). Under CI=true a missing one fails; locally it skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** PYTHON is the interpreter: $CAMWIRE_PYTHON, else Debian's (which has numpy and cv2), else python3. */
export const PYTHON = process.env.CAMWIRE_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** peer returns the path of a peer script. */
export function peer(name: string): string {
  return fileURLToPath(new URL(`../../../../test/transports/seed/peers/${name}`, import.meta.url));
}

let found: boolean | undefined;

/** requirePython tells whether python3 with numpy and cv2 runs; fails under CI, skips elsewhere. */
export function requirePython(t: TestContext): boolean {
  found ??= spawnSync(PYTHON, ['-c', 'import numpy, cv2'], { stdio: 'ignore' }).status === 0;
  if (found) return true;
  if (process.env.CI === 'true') throw new Error(`${PYTHON} with numpy and cv2 is required under CI=true (.ci/run installs python3-numpy python3-opencv)`);
  t.skip('python3 with numpy and cv2 not installed');
  return false;
}

/** runPython runs a peer to completion and returns its stdout (throws with stderr on failure). */
export function runPython(script: string, args: string[]): string {
  const r = spawnSync(PYTHON, [peer(script), ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** PythonPeer is a running peer: its JSON lines on stdout, and its exit. */
export interface PythonPeer {
  proc: ChildProcess;
  /** lines collects each JSON line the peer printed. */
  lines: unknown[];
  /** line resolves with the first printed line that satisfies `pred`. */
  line(pred?: (o: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** exited resolves with the exit code (and stderr). */
  exited: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

/** startPython starts a peer in the background. */
export function startPython(script: string, args: string[]): PythonPeer {
  const proc = spawn(PYTHON, ['-u', peer(script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: unknown[] = [];
  const waiters: { pred: (o: Record<string, unknown>) => boolean; resolve: (o: Record<string, unknown>) => void }[] = [];
  let buf = '';
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  proc.stdout!.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const o = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
      buf = buf.slice(i + 1);
      lines.push(o);
      for (const w of [...waiters]) if (w.pred(o)) waiters.splice(waiters.indexOf(w), 1), w.resolve(o);
    }
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((r) => proc.on('exit', (code) => r({ code, stderr })));
  return {
    proc,
    lines,
    exited,
    line: (pred = () => true) =>
      new Promise((resolve, reject) => {
        const hit = (lines as Record<string, unknown>[]).find(pred);
        if (hit) return resolve(hit);
        waiters.push({ pred, resolve });
        void exited.then(({ code }) => reject(new Error(`${script} exited (${code}) before the expected line: ${stderr}`)));
      }),
    kill: () => proc.kill('SIGKILL'),
  };
}
