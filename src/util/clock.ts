/**
 * clock: wall-clock microseconds, the unit of every Frame's capture time.
 *
 * performance.timeOrigin + performance.now() gives sub-millisecond resolution on the wall-clock
 * scale (Date.now() only has milliseconds), so latency between two processes on one host, or
 * two NTP-synced hosts, is the difference of two of these.
 */

/** nowUs returns the wall-clock time in microseconds since the Unix epoch (fits a double exactly). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
