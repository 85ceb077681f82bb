/**
 * recordings: the playback API over HTTP — what is recorded, segment files with Range requests
 * (seek in a browser or `ffplay URL`), and clips of any span.
 *
 * ```
 *   GET /api/recordings                                   recorded streams (JSON)
 *   GET /api/recordings?stream=S&from=T&to=T              segments overlapping the span (JSON)
 *   GET /recordings/DIR/YYYY-MM-DD/HHMMSS.mmm.mp4         one segment (Range: bytes=…)
 *   GET /api/recordings/clip.mp4?stream=S&from=T&to=T     the span as one fMP4 (remuxed, as recorded)
 * ```
 *
 * A clip answer (also to HEAD) says where it starts in the Camwire-Clip-Start header (Unix ms).
 *
 * DIR is the stream's directory name ("/" in a name is "~"), so a segment path never depends on
 * parsing a stream name that itself contains "/". T is Unix milliseconds or an ISO time.
 * The clip is streamed as it is remuxed (no temp file); MJPEG clips keep their JPEG pictures
 * (`camwire recordings export` converts them to H.264).
 *
 * Access (server.ts, access.ts): the stream list needs `api` and lists only the streams the
 * requester may play back; a stream's segments, files and clips need `playback` on it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidStreamName } from '../../frame/frame.js';
import { exportClip, type ClipInfo } from '../../recordings/export.js';
import { RecordingStore, streamDir } from '../../recordings/store.js';
import { createError } from '../../util/errors.js';
import { BASE_HEADERS, sendJson } from './reply.js';

/** CLIP_START_HEADER: a clip answer's wall-clock start (Unix ms), the keyframe at or before `from`. */
export const CLIP_START_HEADER = 'Camwire-Clip-Start';

/** RecordingsRoute is one of the playback routes above. */
export type RecordingsRoute = { what: 'streams' | 'list' | 'clip' } | { what: 'segment'; dir: string; day: string; file: string };

const SEGMENT_PATH = /^\/recordings\/([A-Za-z0-9_.~-]{1,64})\/(\d{4}-\d{2}-\d{2})\/(\d{6}\.\d{3}(?:-\d{1,6})?\.mp4)$/;

/** matchRecordings routes a decoded path to a RecordingsRoute, or undefined when it is not one. */
export function matchRecordings(path: string): RecordingsRoute | undefined {
  if (path === '/api/recordings') return { what: 'streams' };
  if (path === '/api/recordings/clip.mp4') return { what: 'clip' };
  const m = SEGMENT_PATH.exec(path);
  if (m && !m[1].startsWith('.') && !m[1].startsWith('~')) return { what: 'segment', dir: m[1], day: m[2], file: m[3] };
  return undefined;
}

/** serveRecordings answers a playback route from the recordings in `dir` ('' = not recording); `playable` filters the stream list. */
export async function serveRecordings(dir: string, route: RecordingsRoute, query: URLSearchParams, req: IncomingMessage, res: ServerResponse, playable: (names: string[]) => Promise<Set<string>>): Promise<void> {
  if (!dir) throw createError('CAMWIRE_ERR_NOT_FOUND', 'this hub does not record: start it with --record DIR (docs/recording.md)');
  const store = new RecordingStore(dir);
  if (route.what === 'segment') return serveFile(store.dayDir(route.dir.replaceAll('~', '/'), route.day) + '/' + route.file, req, res);
  if (route.what === 'streams' && !query.has('stream')) {
    const names = await store.streams();
    const shown = await playable(names);
    return sendJson(res, 200, { streams: names.filter((n) => shown.has(n)) });
  }
  const stream = query.get('stream') ?? '';
  if (!isValidStreamName(stream)) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `stream= must name a stream, got "${stream.slice(0, 80)}"`);
  const now = Date.now();
  const from = moment(query, 'from', now - 3600_000);
  const to = moment(query, 'to', now);
  if (route.what === 'clip') {
    const info: Partial<ClipInfo> = {};
    const chunks = exportClip(store, stream, from * 1000, to * 1000, info);
    const first = await chunks.next(); // errors (nothing recorded) still become a JSON reply
    // The clip starts at the keyframe at or before `from`: the page maps its currentTime to the
    // wall clock with this (clip time is wall-clock time since the start).
    res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'video/mp4', 'Cache-Control': 'no-store', [CLIP_START_HEADER]: String(Math.round((info.startUs ?? from * 1000) / 1000)), 'Content-Disposition': `attachment; filename="${stream.replaceAll('/', '_')}-${new Date(from).toISOString().replace(/[:.]/g, '')}.mp4"` });
    if (req.method === 'HEAD' || first.done) {
      await chunks.return(undefined); // lets the export release the segments it holds
      return void res.end();
    }
    res.write(first.value);
    for await (const c of chunks) {
      if (res.destroyed) return;
      if (!res.write(c)) await new Promise((r) => res.once('drain', r).once('close', r));
    }
    return void res.end();
  }
  const segs = await store.list(stream, from * 1000, to * 1000);
  return sendJson(res, 200, {
    stream,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    segments: segs.map((s) => ({
      start: new Date(s.startUs / 1000).toISOString(),
      end: s.open ? null : new Date(s.endUs / 1000).toISOString(),
      startUs: s.startUs,
      endUs: s.open ? null : s.endUs,
      bytes: s.bytes,
      frames: s.frames,
      codec: s.codec,
      width: s.width,
      height: s.height,
      recording: s.open,
      url: `/recordings/${streamDir(s.stream)}/${s.day}/${s.file}`,
    })),
  });
}

/** moment reads a time parameter: Unix ms, or an ISO time; `fallback` when absent. */
function moment(q: URLSearchParams, key: string, fallback: number): number {
  const v = q.get(key);
  if (v === null || v === '') return fallback;
  const ms = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw createError('CAMWIRE_ERR_BAD_REQUEST', `${key}= must be Unix milliseconds or an ISO time, got "${v.slice(0, 40)}"`);
  return ms;
}

/** serveFile sends a segment, honouring one `Range: bytes=a-b` (what players use to seek). */
async function serveFile(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size; // a segment being written: what is there now
  } catch {
    throw createError('CAMWIRE_ERR_NOT_FOUND', 'no such segment (deleted by retention, or never recorded)');
  }
  const headers = { ...BASE_HEADERS, 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-cache' };
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
    return void res.end();
  }
  const [start, end] = range ?? [0, size - 1];
  res.writeHead(range ? 206 : 200, { ...headers, 'Content-Length': Math.max(0, end - start + 1), ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) });
  if (req.method === 'HEAD' || size === 0) return void res.end();
  const rs = createReadStream(path, { start, end });
  rs.on('error', () => res.destroy());
  res.on('close', () => rs.destroy());
  rs.pipe(res);
}

/** parseRange reads a single byte range; undefined means the whole file (absent or multi-range). */
export function parseRange(h: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!h) return undefined;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(h.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // unsupported forms: send it all (RFC 9110 allows ignoring Range)
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2])); // the last N bytes
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}
