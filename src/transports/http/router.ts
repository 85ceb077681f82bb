/**
 * router: turns an HTTP method and request target into a Route, or a typed error (pure, no
 * sockets). Everything a client controls in the target is checked here, before any handler runs:
 *
 * ```
 *   GET /                          viewer page            GET /streams/NAME.mjpeg   MJPEG
 *   GET /app.js, /app.css, …       viewer files           GET /streams/NAME.jpg     snapshot
 *   GET /api/streams               stream list (JSON)     GET /metrics              Prometheus
 *   GET /healthz                   liveness               GET /ws (Upgrade)         viewer socket
 *   GET /api/events                events (JSON)          GET /api/events/ID.jpg    event snapshot
 *   GET|POST|DELETE /api/session   who am I, log in, log out (the viewer page's login, login.ts)
 *   GET /streams/NAME/index.m3u8   LL-HLS playlist        GET /streams/NAME/EPOCH-…  its parts, segments, init
 * ```
 *
 * NAME may contain `/` (grouping), so `/streams/site/cam1.jpg` is stream `site/cam1`. A target
 * with `..` or `.` segments, backslashes, control bytes or bad percent-escapes is refused as a
 * whole, never normalised: a path trick gets 400, not a different resource.
 */
import { isValidStreamName } from '../../frame/frame.js';
import { createError } from '../../util/errors.js';
import { matchRecordings, type RecordingsRoute } from './recordings.js';
import { EVENT_ID } from './events.js';

/** MAX_URL_BYTES: camwire's longest real target is ~100 bytes; 2 KiB leaves room for a token. */
export const MAX_URL_BYTES = 2048;

/** Route is what a request asks for. */
export type Route =
  | { kind: 'static'; file: string }
  | { kind: 'mjpeg'; stream: string }
  | { kind: 'snapshot'; stream: string }
  | { kind: 'streams' }
  | { kind: 'metrics' }
  | { kind: 'healthz' }
  | { kind: 'ws' }
  | { kind: 'recordings'; rec: RecordingsRoute }
  | { kind: 'events' }
  | { kind: 'eventSnapshot'; id: string }
  | { kind: 'session' }
  | { kind: 'hls'; stream: string; file: string };

/** RouteKind names a Route's kind. */
export type RouteKind = Route['kind'];

/** Target is a parsed request target: the route and the query string. */
export interface Target {
  route: Route;
  query: URLSearchParams;
}

const STATIC_FILE = /^[a-z0-9][a-z0-9_-]*\.(?:html|js|css|svg|png|map|ico)$/;
const FIXED: Record<string, Route> = {
  '/': { kind: 'static', file: 'index.html' },
  '/api/streams': { kind: 'streams' },
  '/metrics': { kind: 'metrics' },
  '/healthz': { kind: 'healthz' },
  '/ws': { kind: 'ws' },
  '/api/events': { kind: 'events' },
  '/api/session': { kind: 'session' },
};

/** METHODS: what each route takes besides GET and HEAD (the login session is created and ended with POST and DELETE). */
const METHODS: Partial<Record<RouteKind, readonly string[]>> = { session: ['GET', 'HEAD', 'POST', 'DELETE'] };

/**
 * parseTarget routes `method` + `target` (req.url). Throws CAMWIRE_ERR_URL_TOO_LONG,
 * CAMWIRE_ERR_BAD_REQUEST, CAMWIRE_ERR_BAD_STREAM_NAME, CAMWIRE_ERR_NOT_FOUND or
 * CAMWIRE_ERR_METHOD_NOT_ALLOWED.
 */
export function parseTarget(method: string, target: string): Target {
  if (target.length > MAX_URL_BYTES) throw createError('CAMWIRE_ERR_URL_TOO_LONG', `request target over ${MAX_URL_BYTES} bytes`);
  if (!target.startsWith('/')) throw bad('the request target must be a path starting with /');
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw bad('bad percent-escape in the path');
  }
  if (/[\x00-\x1f\x7f\\]/.test(path)) throw bad('control bytes or backslashes in the path');
  const segments = path.split('/');
  if (path.includes('//') || segments.includes('..') || segments.includes('.')) throw bad('"." / ".." / empty segments are not allowed in the path');
  const route = match(path);
  if (!route) throw createError('CAMWIRE_ERR_NOT_FOUND', `nothing at ${path.slice(0, 200)} (see docs/http.md)`);
  const allowed = METHODS[route.kind] ?? ['GET', 'HEAD'];
  if (!allowed.includes(method)) throw createError('CAMWIRE_ERR_METHOD_NOT_ALLOWED', `${method.slice(0, 20)} is not allowed here; use ${allowed.filter((m) => m !== 'HEAD').join(' or ')}`);
  return { route, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

function match(path: string): Route | undefined {
  const fixed = FIXED[path];
  if (fixed) return fixed;
  const rec = matchRecordings(path); // playback: docs/recording.md, recordings.ts
  if (rec) return { kind: 'recordings', rec };
  // HLS (sinks/hls, wired in by api/): /streams/NAME/index.m3u8 and its parts, segments and init.
  const h = /^\/streams\/(.+)\/(index\.m3u8|[0-9a-f]{8}-[a-z0-9.]{1,40})$/.exec(path);
  if (h) {
    if (!isValidStreamName(h[1])) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `bad stream name "${h[1].slice(0, 80)}"`);
    return { kind: 'hls', stream: h[1], file: h[2] };
  }
  const m = /^\/streams\/(.+)\.(mjpeg|jpg)$/.exec(path);
  if (m) {
    if (!isValidStreamName(m[1])) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `bad stream name "${m[1].slice(0, 80)}"`);
    return m[2] === 'mjpeg' ? { kind: 'mjpeg', stream: m[1] } : { kind: 'snapshot', stream: m[1] };
  }
  const ev = /^\/api\/events\/(.+)\.jpg$/.exec(path);
  if (ev) {
    if (!EVENT_ID.test(ev[1])) throw bad('bad event id');
    return { kind: 'eventSnapshot', id: ev[1] };
  }
  const file = path.slice(1);
  return STATIC_FILE.test(file) ? { kind: 'static', file } : undefined;
}

function bad(msg: string) {
  return createError('CAMWIRE_ERR_BAD_REQUEST', msg);
}
