/**
 * event: the shape of a hub event as every consumer sees it — JSON API, viewer page (which
 * bundles this file: types only, no node imports), webhook, MQTT. The log that holds them is
 * event-log.ts.
 */

/** ClipSpan is the recording that shows an event: [fromMs, toMs], and where to fetch it once recorded. */
export interface ClipSpan {
  fromMs: number;
  toMs: number;
  /** url: where the clip can be fetched, set by the recorder (attachClip); null until then. */
  url: string | null;
}

/** StreamEvent is one event, as JSON consumers see it (docs/events.md). */
export interface StreamEvent {
  /** id: unique within the hub's life, e.g. "door-1764380000123-1". */
  id: string;
  type: 'motion';
  stream: string;
  /** startMs: wall-clock ms of the first picture with motion (from the frame's capture time). */
  startMs: number;
  /** endMs: the last picture with motion, or null while the event goes on. */
  endMs: number | null;
  /** peakScore: the highest share (0–1) of a zone's pixels that changed. */
  peakScore: number;
  /** zone: the zone of the peak ("all" when the stream has no zones). */
  zone: string;
  /** snapshot: path of the JPEG of the peak (GET it from the hub's HTTP port), or null. */
  snapshot: string | null;
  clip: ClipSpan;
}

/** EventPhase says why an event is being announced. */
export type EventPhase = 'start' | 'update' | 'end' | 'clip';
