/**
 * hls: LL-HLS for a hub's H.264 streams, made in process and only while someone asks —
 * `/streams/NAME/index.m3u8` starts an HlsStream on its first request (a hub reader, driven by
 * the one pump) and it stops after IDLE_MS without requests. The HTTP transport routes the
 * requests here (api/http-listener wires it in) and writes the replies.
 *
 * Why in process and not ffmpeg's HLS muxer: ffmpeg 5.1 writes no LL-HLS parts (no
 * EXT-X-PART, no blocking reload), so its latency is a whole segment plus the player's three
 * segments of hold-back; and one ffmpeg per watched stream costs a process. The recorder's fMP4
 * muxer already writes exactly the fragments a part is.
 *
 * Cache headers, for an HTTP cache or CDN in front (docs/scale.md): parts, segments and the init
 * segment never change under their name (names carry an epoch), so they are cacheable for an
 * hour; a blocking playlist request (`_HLS_msn`) names one moment of the playlist and is
 * cacheable for a few seconds; the plain playlist is not cached.
 */
import type { Hub } from '../../hub/hub.js';
import { pumpNewest } from '../../hub/pump.js';
import type { Reader } from '../../hub/reader.js';
import { createError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { HlsStream } from './hls-stream.js';
import { PART_TARGET_S } from './playlist.js';

const log = createLogger('hls');

/** IDLE_MS: a stream nobody requested for 60 s stops being packaged (players poll every part). */
export const IDLE_MS = 60_000;
/** FIRST_PART_WAIT_MS: the first request waits this long for the first part (the GOP cache makes it a frame interval or two). */
const FIRST_PART_WAIT_MS = 5000;
/** BLOCK_MS: a blocking playlist or part request waits at most this long (the spec asks for 3 target durations). */
const BLOCK_MS = 3000;

/** HLS_FILE: the file names under /streams/NAME/: the playlist, init, segments, parts. */
export const HLS_FILE = /^(index\.m3u8|[0-9a-f]{8}-(init\.mp4|\d{1,10}\.m4s|\d{1,10}\.\d{1,5}\.m4s))$/;

/** HlsReply is what the HTTP transport sends back. */
export interface HlsReply {
  contentType: string;
  cacheControl: string;
  body: Buffer;
}

const IMMUTABLE = 'public, max-age=3600, immutable';

interface Entry {
  sink: HlsStream;
  reader: Reader;
  lastRequest: number;
  done: Promise<void>;
}

/** Hls packages streams on demand; see the file comment. */
export class Hls {
  private readonly streams = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly hub: Hub) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(IDLE_MS, 10_000));
    this.sweeper.unref();
  }

  /** active lists the streams being packaged (tests, metrics). */
  active(): string[] {
    return [...this.streams.keys()];
  }

  /**
   * serve answers GET /streams/NAME/FILE (FILE matches HLS_FILE; `query` may hold _HLS_msn and
   * _HLS_part). Throws CAMWIRE_ERR_NOT_FOUND, _WRONG_CODEC or _NO_FRAME_YET.
   */
  async serve(stream: string, file: string, query: URLSearchParams): Promise<HlsReply> {
    if (this.closed) throw createError('CAMWIRE_ERR_CLOSED', 'HLS is shutting down');
    if (!HLS_FILE.test(file)) throw createError('CAMWIRE_ERR_NOT_FOUND', `no HLS file ${file.slice(0, 80)}`);
    const live = this.hub.get(stream);
    if (!this.streams.has(stream) && !live?.publisher) throw createError('CAMWIRE_ERR_NOT_FOUND', `no stream "${stream}" is live`);
    if (live?.last && live.last.codec !== 'h264') throw wrongCodec(stream);
    const e = this.entry(stream);
    e.lastRequest = Date.now();
    const s = e.sink;
    if (!(await s.until(() => s.wrongCodec || s.playlist() !== undefined, FIRST_PART_WAIT_MS))) {
      throw createError('CAMWIRE_ERR_NO_FRAME_YET', `stream "${stream}" has not delivered an H.264 keyframe yet; try again`);
    }
    if (s.wrongCodec) throw wrongCodec(stream);
    if (file === 'index.m3u8') return this.playlist(s, query);
    const m = /^([0-9a-f]{8})-(?:(init)\.mp4|(\d+)(?:\.(\d+))?\.m4s)$/.exec(file);
    if (!m || m[1] !== s.epoch) throw createError('CAMWIRE_ERR_NOT_FOUND', `${file} is not (or no longer) part of "${stream}"'s HLS window; reload the playlist`);
    if (m[2]) return { contentType: 'video/mp4', cacheControl: IMMUTABLE, body: s.init! };
    const msn = Number(m[3]);
    if (m[4] === undefined) {
      const seg = s.segment(msn);
      if (!seg) throw createError('CAMWIRE_ERR_NOT_FOUND', `segment ${msn} of "${stream}" is not in the HLS window`);
      return { contentType: 'video/mp4', cacheControl: IMMUTABLE, body: seg };
    }
    const part = Number(m[4]);
    // The preload hint names the next part before it exists: its request waits for it.
    const next = s.next();
    if (msn === next.msn && part === next.part) await s.until(() => s.part(msn, part) !== undefined, BLOCK_MS);
    const body = s.part(msn, part);
    if (!body) throw createError('CAMWIRE_ERR_NOT_FOUND', `part ${msn}.${part} of "${stream}" is not in the HLS window`);
    return { contentType: 'video/mp4', cacheControl: IMMUTABLE, body };
  }

  /** close stops packaging every stream; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    const all = [...this.streams.values()];
    this.streams.clear();
    for (const e of all) this.stop(e);
    await Promise.all(all.map((e) => e.done));
  }

  private async playlist(s: HlsStream, query: URLSearchParams): Promise<HlsReply> {
    const msnText = query.get('_HLS_msn');
    let blocking = false;
    if (msnText !== null && /^\d{1,10}$/.test(msnText)) {
      const msn = Number(msnText);
      const partText = query.get('_HLS_part');
      const part = partText !== null && /^\d{1,5}$/.test(partText) ? Number(partText) : undefined;
      blocking = true;
      await s.until(() => s.has(msn, part), BLOCK_MS);
    }
    const text = s.playlist() ?? '';
    // A blocking request names one moment: a cache may keep its answer a little (about 3 parts).
    const cacheControl = blocking ? `public, max-age=${Math.max(1, Math.round(PART_TARGET_S * 3))}` : 'no-cache';
    return { contentType: 'application/vnd.apple.mpegurl', cacheControl, body: Buffer.from(text) };
  }

  private entry(stream: string): Entry {
    let e = this.streams.get(stream);
    if (e) return e;
    const sink = new HlsStream();
    const reader = this.hub.read(stream, { label: 'hls' });
    const done = pumpNewest(reader, sink).finally(() => sink.close());
    e = { sink, reader, lastRequest: Date.now(), done };
    this.streams.set(stream, e);
    log.info(`packaging "${stream}" as LL-HLS`);
    void done.then(() => {
      if (this.streams.get(stream) === e) this.streams.delete(stream);
    });
    return e;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [name, e] of this.streams) {
      if (now - e.lastRequest < IDLE_MS) continue;
      this.streams.delete(name);
      this.stop(e);
      log.info(`stopped packaging "${name}" as LL-HLS (no requests for ${IDLE_MS / 1000} s)`);
    }
  }

  private stop(e: Entry): void {
    e.sink.close();
    e.reader.close(); // wakes the pump even if no frame comes any more
  }
}

function wrongCodec(stream: string) {
  return createError('CAMWIRE_ERR_WRONG_CODEC', `stream "${stream}" is MJPEG; HLS carries H.264 only (publish it with --codec h264, or watch it as /streams/${stream}.mjpeg)`);
}
