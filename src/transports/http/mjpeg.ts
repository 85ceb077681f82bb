/**
 * mjpeg: `GET /streams/NAME.mjpeg` — one hub Reader per client, written as multipart parts only
 * while the response has drained (hub/pump.ts), so a slow client skips frames and never lags.
 */
import type { ServerResponse } from 'node:http';
import type { Frame } from '../../frame/frame.js';
import type { Hub } from '../../hub/hub.js';
import { pumpNewest, type FrameSink } from '../../hub/pump.js';
import { createError } from '../../util/errors.js';
import { MJPEG_CONTENT_TYPE, PART_TRAILER, partHeader } from './multipart.js';
import { BASE_HEADERS } from './reply.js';

/** MjpegOptions: how long a client may read nothing before it is cut off. */
export interface MjpegOptions {
  writeStallMs: number;
  label: string;
}

/**
 * serveMjpeg streams `name` to `res` until the publisher ends the stream or the client leaves.
 * Throws CAMWIRE_ERR_NOT_FOUND / CAMWIRE_ERR_WRONG_CODEC before anything is written.
 */
export function serveMjpeg(hub: Hub, name: string, res: ServerResponse, opts: MjpegOptions): void {
  const stream = hub.get(name);
  if (!stream) throw createError('CAMWIRE_ERR_NOT_FOUND', `no stream "${name}" (GET /api/streams lists them)`);
  if (stream.last && stream.last.codec !== 'mjpeg') throw createError('CAMWIRE_ERR_WRONG_CODEC', `stream "${name}" is ${stream.last.codec}; MJPEG needs a JPEG stream`);
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': MJPEG_CONTENT_TYPE, 'Cache-Control': 'no-store', Connection: 'close' });
  if (res.req.method === 'HEAD') return void res.end();
  res.socket?.setNoDelay(true);
  // Headers go out now, not with the first frame: a client of a stream that is still waiting
  // for its publisher knows at once that it is connected.
  res.flushHeaders();
  const reader = hub.read(name, { label: `${opts.label} mjpeg` });
  const sink = new ResponseSink(res, opts.writeStallMs);
  res.on('close', () => reader.close());
  void pumpNewest(reader, sink).then(() => {
    if (!sink.closed) res.end();
  });
}

/** ResponseSink adapts a ServerResponse to the pump: busy while node wants a drain. */
class ResponseSink implements FrameSink {
  constructor(
    private readonly res: ServerResponse,
    private readonly stallMs: number,
  ) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  busy(): boolean {
    return this.res.writableNeedDrain;
  }

  writable(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      // A client that reads nothing for stallMs is gone in all but name.
      const t = setTimeout(() => {
        this.res.destroy();
        done();
      }, this.stallMs);
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  write(f: Frame): void {
    if (f.codec !== 'mjpeg') {
      // The publisher switched codec under us: end rather than send what the client cannot play.
      return void this.res.end();
    }
    this.res.cork();
    this.res.write(partHeader(f));
    this.res.write(f.payload);
    this.res.write(PART_TRAILER);
    this.res.uncork();
  }
}
