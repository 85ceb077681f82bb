/**
 * read-forever: a long-running viewer made of the library's readFrom, the way the soak runs its
 * TCP and UDP viewers and its relay: it reads `url` until `signal` aborts, and reads it again
 * when the stream ends or the link fails (an upstream restarting).
 *
 * Abort closes the reader at once. Breaking out of the `for await` on the next frame is not
 * enough: a viewer of a stream that has gone quiet never gets that frame, so its connection
 * stayed open (the soak's 3 "leaked" sockets were the relay stream's 3 TCP viewers: the relay
 * stops with the same signal, so they waited forever).
 */
import { readFrom, type RemoteOptions } from '../src/api/remote.js';
import type { Frame } from '../src/frame/frame.js';
import { sleep } from '../src/util/sleep.js';

/** readForever reads `url` until `signal` aborts (see the file comment); `done` settles once its last reader is closed. */
export function readForever(url: string, signal: AbortSignal, onFrame: (f: Frame) => void, opts: RemoteOptions = {}): { done: Promise<void> } {
  const done = (async () => {
    while (!signal.aborted) {
      const r = readFrom(url, opts);
      const onAbort = () => void r.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const f of r) onFrame(f);
      } catch {
        if (!signal.aborted) await sleep(500);
      } finally {
        signal.removeEventListener('abort', onAbort);
        await r.close();
      }
    }
  })();
  return { done };
}
