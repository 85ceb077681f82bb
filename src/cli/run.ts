/**
 * run: how a long-running command ends — on Ctrl-C / SIGTERM it closes its components in order
 * and the process exits by itself; a second Ctrl-C exits at once.
 *
 * The signal handlers are installed once, when the CLI starts (installSignalHandlers), not when
 * a command reaches untilSignal: a Ctrl-C that lands while a command is still starting (probing
 * ffmpeg, connecting) must not kill the process with children half started.
 */
import { createLogger } from '../util/logger.js';

const log = createLogger('camwire');

/** Closer is anything with an idempotent async close(). */
export interface Closer {
  close(): Promise<void>;
}

let signalled: string | undefined;
const waiters = new Set<() => void>();

/** STARTUP_GRACE_MS: a command that has not reached untilSignal this long after Ctrl-C is a short one (devices, doctor): just exit. */
const STARTUP_GRACE_MS = 2000;

/** installSignalHandlers makes SIGINT/SIGTERM request a clean shutdown; a second one exits now. */
export function installSignalHandlers(): void {
  const onSignal = (sig: string) => {
    if (signalled) {
      log.warn(`second ${sig}: exiting now`);
      process.exit(130);
    }
    signalled = sig;
    log.info(`${sig}: shutting down`);
    for (const w of waiters) w();
    if (waiters.size === 0) setTimeout(() => waiters.size === 0 && process.exit(130), STARTUP_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * untilSignal resolves when SIGINT/SIGTERM arrives (or already arrived) or `done` settles, then
 * closes `closers` in order. It returns `done`'s error, if any, so the caller can print it and
 * exit non-zero.
 */
export async function untilSignal(closers: Closer[], done?: Promise<unknown>): Promise<unknown> {
  let err: unknown;
  await new Promise<void>((resolve) => {
    if (signalled) return resolve();
    waiters.add(resolve);
    done?.then(
      () => resolve(),
      (e) => {
        err = e;
        resolve();
      },
    );
  });
  for (const c of closers) await c.close();
  return err;
}
