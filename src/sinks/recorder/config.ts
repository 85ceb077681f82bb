/**
 * config: turns the record* config keys into RecorderOptions, with errors that name the key.
 *
 * `recordKeep` and `recordMaxDisk` hold a global value and per-stream ones, comma-separated:
 * `"7d,door=30d"` keeps everything 7 days and stream door 30 days; `"20GB,gate=2GB"` caps all
 * recordings at 20 GB and gate's at 2 GB. The same syntax works for flags (repeatable) and env.
 */
import type { Config } from '../../config/defaults.js';
import { isValidStreamName } from '../../frame/frame.js';
import { parseAge, parseBytes, type RetentionPolicy } from '../../recordings/retention.js';
import { createError } from '../../util/errors.js';
import type { EventLog } from '../../hub/event-log.js';
import { EventPins } from '../../recordings/event-pins.js';
import { DEFAULTS_RECORDING } from './defaults.js';
import type { RecorderOptions } from './recorder.js';

/** RecordConfig: the Config keys the recorder reads. */
export type RecordConfig = Pick<Config, 'recordDir' | 'recordKeep' | 'recordMaxDisk' | 'recordSegmentSeconds' | 'recordStreams' | 'recordKeepEvents'>;

/** eventPinsFrom builds the EventPins of `recordKeepEvents` over `log` (retention keeps those clips). */
export function eventPinsFrom(cfg: Pick<Config, 'recordKeepEvents'>, log: EventLog): EventPins {
  const k = limits(cfg.recordKeepEvents, 'recordKeepEvents', 'an age like 30d, 12h or 90m', parseAge);
  return new EventPins(log, { keepUs: k.global, perStream: Object.fromEntries(k.perStream) });
}

/** eventKeepMs says how long a stream's events stay on disk: the longer of recordKeepEvents and recordKeep (0 = as long as its recordings). */
export function eventKeepMs(cfg: Pick<Config, 'recordKeep' | 'recordKeepEvents'>): (stream: string) => number {
  const keep = limits(cfg.recordKeep, 'recordKeep', 'an age like 7d, 12h or 90m', parseAge);
  const events = limits(cfg.recordKeepEvents, 'recordKeepEvents', 'an age like 30d, 12h or 90m', parseAge);
  return (stream) => {
    const a = keep.perStream.get(stream) ?? keep.global;
    const b = events.perStream.get(stream) ?? events.global;
    // Footage without an age limit: events stay as long as the footage does.
    return a === 0 ? 0 : Math.max(a, b) / 1000;
  };
}

/** recorderOptionsFrom builds RecorderOptions from config; throws CAMWIRE_ERR_CONFIG naming the key. */
export function recorderOptionsFrom(cfg: RecordConfig): RecorderOptions {
  const keep = limits(cfg.recordKeep, 'recordKeep', 'an age like 7d, 12h or 90m', parseAge);
  const size = limits(cfg.recordMaxDisk, 'recordMaxDisk', 'a size like 20GB or 500MB', parseBytes);
  const perStream: Record<string, Partial<RetentionPolicy>> = {};
  for (const [s, v] of keep.perStream) (perStream[s] ??= {}).keepUs = v;
  for (const [s, v] of size.perStream) (perStream[s] ??= {}).maxBytes = v;
  const streams = cfg.recordStreams.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of streams) if (!isValidStreamName(s)) throw createError('CAMWIRE_ERR_CONFIG', `recordStreams: bad stream name "${s}"`);
  return {
    ...DEFAULTS_RECORDING,
    dir: cfg.recordDir,
    segmentMs: cfg.recordSegmentSeconds * 1000,
    streams: streams.length ? streams : undefined,
    retention: { keepUs: keep.global, maxBytes: size.global },
    perStream,
  };
}

/** limits parses "GLOBAL,STREAM=VALUE,…" with `parse`; '' means no limit. */
function limits(text: string, key: string, what: string, parse: (s: string) => number | undefined) {
  let global = 0;
  const perStream = new Map<string, number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const name = eq < 0 ? undefined : part.slice(0, eq);
    const v = parse(eq < 0 ? part : part.slice(eq + 1));
    if (v === undefined) throw createError('CAMWIRE_ERR_CONFIG', `${key} "${part}" must be ${what}, or STREAM=${what.replace(/^an? /, '')}`);
    if (name === undefined) global = v;
    else if (!isValidStreamName(name)) throw createError('CAMWIRE_ERR_CONFIG', `${key} "${part}": bad stream name "${name}"`);
    else perStream.set(name, v);
  }
  return { global, perStream };
}
