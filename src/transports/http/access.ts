/**
 * access: what each HTTP route asks the Authenticator for — the action, the stream it is on, and
 * whether a `?token=` in the URL may stand in for the Authorization header (pure, no sockets).
 *
 * ```
 *   /streams/NAME.mjpeg, /streams/NAME.jpg, /ws     view (NAME; /ws decides per subscribed stream)
 *   /streams/NAME/index.m3u8 and its parts           view (NAME)
 *   /api/streams, /api/events                        api (each listed stream also needs view)
 *   /api/events/ID.jpg                               view (the event's stream)
 *   /api/recordings                                  api (each listed stream also needs playback)
 *   /api/recordings?stream=S, clip.mp4, /recordings/… playback (the stream in the query or path)
 *   /metrics                                         metrics
 *   /, viewer files, /healthz, /api/session          nobody's business: always answered
 * ```
 *
 * A token in a URL ends up in browser history, proxy logs and shell history, so `?token=` counts
 * only where the client cannot send headers: browser WebSockets, `<img>`/`<video>` tags and
 * players (VLC, ffplay) opening MJPEG, snapshots and recordings. Scripts reading the API or
 * metrics can send `Authorization: Bearer`.
 */
import type { Action } from '../../auth/index.js';
import type { Route, RouteKind } from './router.js';

/** Need is what a route asks for: an action, on a stream when the route names one. */
export interface Need {
  action: Action;
  stream?: string;
}

/** QUERY_TOKEN_ROUTES: where `?token=` is read (the client cannot set headers there). */
export const QUERY_TOKEN_ROUTES: ReadonlySet<RouteKind> = new Set<RouteKind>(['ws', 'mjpeg', 'snapshot', 'recordings', 'eventSnapshot', 'hls']);

/**
 * needOf returns what `route` needs, or undefined for a public route. `eventStream` looks up the
 * stream of an event id (undefined when unknown: the request then needs view on every stream).
 */
export function needOf(route: Route, query: URLSearchParams, eventStream: (id: string) => string | undefined = () => undefined): Need | undefined {
  switch (route.kind) {
    case 'static':
    case 'healthz':
    case 'session':
      return undefined;
    case 'mjpeg':
    case 'snapshot':
    case 'hls':
      return { action: 'view', stream: route.stream };
    case 'ws':
      return { action: 'view' };
    case 'streams':
    case 'events':
      return { action: 'api' };
    case 'eventSnapshot':
      return { action: 'view', stream: eventStream(route.id) };
    case 'metrics':
      return { action: 'metrics' };
    case 'recordings': {
      const r = route.rec;
      if (r.what === 'segment') return { action: 'playback', stream: r.dir.replaceAll('~', '/') };
      const stream = query.get('stream');
      return stream ? { action: 'playback', stream } : { action: 'api' };
    }
  }
}
