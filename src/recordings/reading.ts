/**
 * reading: the segments an export (CLI or HTTP clip) of this process is reading right now, so
 * retention passes them over instead of deleting a file between the export's index read and its
 * open() — the export-vs-retention race. Paths are resolved, so two RecordingStores over the same
 * directory agree. Another process's export is not seen here (docs/recording.md says so); a
 * segment that vanished under one is a hole in its clip, not a failure.
 */
import { resolve } from 'node:path';

const readers = new Map<string, number>();

/** holdForReading marks `paths` as being read until the returned release() is called (once). */
export function holdForReading(paths: readonly string[]): () => void {
  const held = paths.map((p) => resolve(p));
  for (const p of held) readers.set(p, (readers.get(p) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const p of held) {
      const n = (readers.get(p) ?? 1) - 1;
      if (n > 0) readers.set(p, n);
      else readers.delete(p);
    }
  };
}

/** isBeingRead says whether an export holds `path`. */
export function isBeingRead(path: string): boolean {
  return readers.size > 0 && readers.has(resolve(path));
}
