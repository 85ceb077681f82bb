/**
 * defaults: the recorder's tuning, each value with its reason (config keys in config/defaults.ts
 * set the user-facing ones: directory, retention, segment length).
 */
import type { RecorderOptions } from './recorder.js';

/** DEFAULTS_RECORDING: everything but the directory. */
export const DEFAULTS_RECORDING: Omit<RecorderOptions, 'dir'> = {
  // A minute per file: small enough to delete at a fine grain, few enough files for a year.
  segmentMs: 60_000,
  // A fragment each keyframe or second: a crash or power cut loses at most about a second.
  fragmentMs: 1000,
  // A source that was silent for 2 s has restarted or stalled: a new segment keeps wall-clock spans true.
  maxGapMs: 2000,
  // Retry a failed disk every 5 s: soon after space returns, without a log flood meanwhile.
  retryMs: 5000,
  // 10 s of 30 fps, at most 64 MiB: absorbs a slow disk flush or a retention pass without losing frames.
  queueFrames: 300,
  queueBytes: 64 * 1024 * 1024,
  retention: { keepUs: 0, maxBytes: 0 },
};
