/**
 * worker: the bench's handle on a viewer-worker child process (fork, setup, mark, report, stop).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerReport, WorkerSetup } from './viewer-worker.js';

const SCRIPT = fileURLToPath(new URL('./viewer-worker.js', import.meta.url));

/** Worker is a running viewer-worker. */
export interface Worker {
  port: number;
  /** frameBytes is the mean JPEG size of the first stream. */
  frameBytes: number;
  base: string;
  /** mark starts a measurement window (CPU and frame counts). */
  mark(): Promise<void>;
  /** report returns CPU and frames published since mark(). */
  report(): Promise<WorkerReport>;
  stop(): Promise<void>;
}

/** startWorker forks a worker and waits until it serves. */
export async function startWorker(setup: Omit<WorkerSetup, 'type'>): Promise<Worker> {
  const child: ChildProcess = fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, CAMWIRE_LOG: 'error' } });
  const ask = <T>(msg: object, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: { type: string }) => {
        if (m.type !== answer) return;
        child.off('message', on);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number) => reject(new Error(`viewer-worker exited with ${code}`));
      child.on('message', on);
      child.once('exit', onExit);
      child.send(msg);
    });
  const { port, frameBytes } = await ask<{ port: number; frameBytes: number }>({ type: 'setup', ...setup }, 'ready');
  return {
    port,
    frameBytes,
    base: `http://127.0.0.1:${port}`,
    mark: () => ask({ type: 'mark' }, 'marked'),
    report: () => ask<WorkerReport>({ type: 'report' }, 'report'),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
