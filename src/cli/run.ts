/**
 * run: how a long-running command ends — on Ctrl-C / SIGTERM it closes its components in order
 * and the process exits by itself; a second Ctrl-C exits at once.
 */
import { createLogger } from '../util/logger.js';

const log = createLogger('camwire');

/** Closer is anything with an idempotent async close(). */
export interface Closer {
  close(): Promise<void>;
}

/**
 * untilSignal resolves when SIGINT/SIGTERM arrives or `done` settles, then closes `closers`
 * in order. It returns `done`'s error, if any, so the caller can print it and exit non-zero.
 */
export async function untilSignal(closers: Closer[], done?: Promise<unknown>): Promise<unknown> {
  let signalled = false;
  let err: unknown;
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      if (signalled) {
        log.warn(`second ${sig}: exiting now`);
        process.exit(130);
      }
      signalled = true;
      log.info(`${sig}: shutting down`);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
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
