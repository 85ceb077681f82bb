/**
 * events: `GET /api/events` (the hub's recent events as JSON, newest first) and
 * `GET /api/events/ID.jpg` (an event's snapshot). The query is checked here, before the log is
 * read:
 *
 * ```
 *   /api/events?stream=door&since=2026-11-29T10:00:00Z&until=1764410400000&limit=50
 * ```
 *
 * `since` / `until` take ISO 8601 times or milliseconds since 1970; an event matches when it was
 * going on at some moment between them. A bad parameter is a 400 naming it.
 */
import type { ServerResponse } from 'node:http';
import { isValidStreamName } from '../../frame/frame.js';
import { MAX_LIST, type EventFilter, type EventLog } from '../../hub/event-log.js';
import { createError } from '../../util/errors.js';
import { BASE_HEADERS, sendJson } from './reply.js';

/** EVENT_ID: the characters an event id is made of (stream name with `/` as `_`, digits, `-`). */
export const EVENT_ID = /^[A-Za-z0-9_.-]{1,100}$/;

/** parseEventQuery turns the query string into an EventFilter; throws CAMWIRE_ERR_BAD_REQUEST. */
export function parseEventQuery(q: URLSearchParams): EventFilter {
  const f: EventFilter = {};
  for (const key of q.keys()) if (!['stream', 'since', 'until', 'limit', 'token'].includes(key)) throw bad(`unknown parameter "${key.slice(0, 40)}" (stream, since, until, limit)`);
  const stream = q.get('stream');
  if (stream !== null) {
    if (!isValidStreamName(stream)) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `bad stream name "${stream.slice(0, 80)}"`);
    f.stream = stream;
  }
  const since = q.get('since');
  if (since !== null) f.sinceMs = time(since, 'since');
  const until = q.get('until');
  if (until !== null) f.untilMs = time(until, 'until');
  const limit = q.get('limit');
  if (limit !== null) {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > MAX_LIST) throw bad(`limit must be 1–${MAX_LIST}`);
    f.limit = n;
  }
  return f;
}

/** Visible picks the stream names the requester may see (server.ts asks the Authenticator). */
export type Visible = (names: string[]) => Promise<Set<string>>;

/** serveEvents answers /api/events from `log`, listing only events of streams in `visible`. */
export async function serveEvents(log: EventLog | undefined, q: URLSearchParams, res: ServerResponse, visible: Visible): Promise<void> {
  const filter = parseEventQuery(q);
  const events = log?.list(filter) ?? [];
  const shown = await visible([...new Set(events.map((e) => e.stream))]);
  sendJson(res, 200, { events: events.filter((e) => shown.has(e.stream)) });
}

/** serveEventSnapshot answers /api/events/ID.jpg (from memory, or from disk for events kept there). */
export async function serveEventSnapshot(log: EventLog | undefined, id: string, res: ServerResponse): Promise<void> {
  const jpeg = await log?.loadSnapshot(id);
  if (!jpeg) throw createError('CAMWIRE_ERR_NOT_FOUND', `no snapshot for event "${id}" (unknown, or older than the newest kept)`);
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'private, max-age=86400' });
  res.end(res.req.method === 'HEAD' ? undefined : jpeg);
}

function time(s: string, name: string): number {
  const ms = /^\d{1,15}$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(ms)) throw bad(`${name} must be an ISO 8601 time or milliseconds since 1970, got "${s.slice(0, 40)}"`);
  return ms;
}

function bad(msg: string) {
  return createError('CAMWIRE_ERR_BAD_REQUEST', msg);
}
