/**
 * pump: moves frames from a Reader into a network sink without ever queuing stale ones.
 *
 * The pump takes a frame out of the reader's slot only at the moment the sink can send it. While
 * the sink is busy (a slow WebSocket, a slow HTTP client) the frame stays in the slot, where the
 * next published frame replaces it (counted as a drop). So a sink holds at most what it is
 * sending plus one frame in the slot: latency stays flat however slow the peer is.
 */
import type { Frame } from '../frame/frame.js';
import type { Reader } from './reader.js';

/** FrameSink is what a pump writes into: one peer connection of some transport. */
export interface FrameSink {
  /** closed tells whether the peer went away (the pump stops and closes the reader). */
  readonly closed: boolean;
  /** busy tells whether the sink holds more unsent data than it wants before the next frame. */
  busy(): boolean;
  /** writable resolves when busy() may have changed (some data flushed, or the sink closed). */
  writable(): Promise<void>;
  /** write sends one frame; it never waits. */
  write(f: Frame): void;
}

/**
 * pumpNewest writes the newest frame of `reader` to `sink` whenever the sink has room, until
 * the reader ends or the sink closes; then it closes the reader.
 */
export async function pumpNewest(reader: Reader, sink: FrameSink): Promise<void> {
  try {
    while (!sink.closed && (await reader.ready())) {
      while (!sink.closed && sink.busy()) await sink.writable();
      if (sink.closed) break;
      const f = reader.take();
      if (f) sink.write(f);
    }
  } finally {
    reader.close();
  }
}
