/**
 * source: what every video source (test pattern, camera, file, URL) looks like to the rest.
 */
import type { Publisher } from '../hub/stream.js';

/** Source produces frames into a Publisher from start() until close() or its natural end. */
export interface Source {
  /** start begins producing; rejects with a clear error if the source cannot start. */
  start(pub: Publisher): Promise<void>;
  /** done resolves when the source ended by itself (end of file) or was closed. */
  readonly done: Promise<void>;
  /** close stops producing and releases resources; idempotent. */
  close(): Promise<void>;
}
