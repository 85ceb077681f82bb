/**
 * event-options: the flags of motion detection and event delivery, shared by the commands that
 * run a hub (serve).
 */
import type { Config } from '../config/defaults.js';
import type { Options, Parsed } from './args.js';

/** EVENT_OPTIONS: motion detection and where events go. */
export const EVENT_OPTIONS = {
  motion: { type: 'string' },
  'on-motion': { type: 'string' },
  mqtt: { type: 'string' },
} as const satisfies Options;

/** EVENT_HELP documents EVENT_OPTIONS. */
export const EVENT_HELP = `Motion and events (docs/events.md):
  --motion NAMES   detect motion on these streams (comma-separated, e.g. door,gate); events
                   at /api/events and on the viewer page; zones and sensitivity in the config
  --on-motion URL  POST each event's start and end as JSON to URL (retried on failure)
  --mqtt URL       publish events and motion states to an MQTT broker (mqtt://HOST:1883),
                   with Home Assistant discovery`;

/** eventConfigFlags maps EVENT_OPTIONS to Config keys, for configFrom(). */
export function eventConfigFlags(values: Parsed['values']): Partial<Record<keyof Config, unknown>> {
  return { motion: values.motion, onMotion: values['on-motion'], mqtt: values.mqtt };
}
