/**
 * record-options: the recording flags of `camwire serve` and the `recordings` commands, mapped
 * to the record* config keys (see sinks/recorder/config.ts for the value syntax).
 */
import type { Config } from '../config/defaults.js';
import type { Options, Parsed } from './args.js';

/** RECORD_OPTIONS: where to record and how much to keep. */
export const RECORD_OPTIONS = {
  record: { type: 'string' },
  keep: { type: 'string', multiple: true },
  'max-disk': { type: 'string', multiple: true },
  'keep-events': { type: 'string', multiple: true },
  segment: { type: 'string' },
  'record-streams': { type: 'string' },
} as const satisfies Options;

/** RECORD_HELP documents RECORD_OPTIONS for serve. */
export const RECORD_HELP = `Recording (docs/recording.md):
  --record DIR           record streams into DIR (fragmented MP4, one file a minute)
  --keep AGE             delete recordings older than AGE (7d, 12h, 90m); repeat with
                         STREAM=AGE for one stream (--keep 7d --keep door=30d)
  --max-disk SIZE        keep recordings under SIZE (20GB, 500MB), oldest deleted first;
                         STREAM=SIZE caps one stream
  --keep-events AGE      keep each motion event's clip (and the event) AGE after it, longer
                         than --keep keeps the rest (30d); STREAM=AGE for one stream
  --segment SECONDS      start a new file at the first keyframe after this long (default 60)
  --record-streams A,B   record only these streams (default: every stream with a publisher)`;

/** recordConfigFlags maps RECORD_OPTIONS to Config keys, for configFrom(). */
export function recordConfigFlags(values: Parsed['values']): Partial<Record<keyof Config, unknown>> {
  const list = (k: string) => (values[k] as unknown as string[] | undefined)?.join(',');
  return { recordDir: values.record, recordKeep: list('keep'), recordMaxDisk: list('max-disk'), recordKeepEvents: list('keep-events'), recordSegmentSeconds: values.segment, recordStreams: values['record-streams'] };
}
