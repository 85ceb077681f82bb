/**
 * Hub: the named streams in the middle of camwire. Sources and transports publish into it;
 * transports out, sinks and the library API read from it.
 */
import { randomBytes } from 'node:crypto';
import { isValidStreamName, STREAM_NAME_PATTERN } from '../frame/frame.js';
import { createError } from '../util/errors.js';
import { TypedEmitter } from '../util/events.js';
import type { Reader, ReaderOptions } from './reader.js';
import { Stream, type Publisher, type StreamStats } from './stream.js';

/** DEFAULT_STREAM is the name used when a URL names no stream (a camera serving itself). */
export const DEFAULT_STREAM = 'default';

/** HubEvents: `stream` fires when a stream appears, changes publisher or readers, or goes away. */
export type HubEvents = {
  stream: (name: string, stats: StreamStats | null) => void;
};

/** Hub maps stream names to Streams; see the file comment. */
export class Hub extends TypedEmitter<HubEvents> {
  /** id names this hub in a chain of hubs (a stream's `via`), so a hub never pulls its own stream back. */
  readonly id = randomBytes(6).toString('hex');
  private readonly streams = new Map<string, Stream>();
  private closed = false;

  /** publish claims the publisher slot of stream `name` (created if new). */
  publish(name: string, label = 'local'): Publisher {
    return this.stream(name).attach(label);
  }

  /** read adds a reader to stream `name`, creating the stream so the reader can wait for it. */
  read(name: string, opts?: ReaderOptions): Reader {
    return this.stream(name).read(opts);
  }

  /** get returns the stream if it exists. */
  get(name: string): Stream | undefined {
    return this.streams.get(name);
  }

  /** names lists the streams that currently exist. */
  names(): string[] {
    return [...this.streams.keys()];
  }

  /**
   * resolve turns the name a client asked for into a stream name: an empty name means the only
   * published stream when there is exactly one (a sender serving itself), else DEFAULT_STREAM.
   */
  resolve(name: string): string {
    if (name !== '') return name;
    const live = [...this.streams.values()].filter((s) => s.publisher !== null);
    return live.length === 1 ? live[0].name : DEFAULT_STREAM;
  }

  /** stats returns every stream's stats. */
  stats(): StreamStats[] {
    const now = Date.now();
    return [...this.streams.values()].map((s) => s.stats(now));
  }

  /** close ends every reader; publishers' later frames are ignored. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.closeReaders();
    this.streams.clear();
  }

  private stream(name: string): Stream {
    if (this.closed) throw createError('CAMWIRE_ERR_CLOSED', 'the hub is closed');
    if (!isValidStreamName(name)) {
      throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `bad stream name "${name.slice(0, 80)}": use ${STREAM_NAME_PATTERN.source}`);
    }
    let s = this.streams.get(name);
    if (!s) {
      s = new Stream(name, { changed: (st) => this.changed(st) }, this.id);
      this.streams.set(name, s);
    }
    return s;
  }

  private changed(s: Stream): void {
    if (this.closed) return;
    if (s.idle) {
      if (this.streams.get(s.name) === s) {
        this.streams.delete(s.name);
        this.emit('stream', s.name, null);
      }
      return;
    }
    this.emit('stream', s.name, s.stats());
  }
}
