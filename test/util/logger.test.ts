import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, RateLimitedReport, setLogLevel, setLogSink } from '../../src/util/logger.js';

test('lines carry time, level and tag; the level filters louder lines', (t) => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  t.after(() => {
    setLogSink((l) => process.stderr.write(l + '\n'));
    setLogLevel('info');
  });
  const log = createLogger('unit');
  setLogLevel('warn');
  log.error('e');
  log.warn('w');
  log.info('i');
  log.debug('d');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z error \[unit\] e$/);
  assert.match(lines[1], / warn  \[unit\] w$/);
  setLogLevel('silent');
  log.error('nothing');
  assert.equal(lines.length, 2);
  setLogLevel('debug');
  log.debug('d2');
  assert.match(lines[2], / debug \[unit\] d2$/);
});

test('RateLimitedReport reports the first occurrence at once, then at most once per interval with the count', () => {
  const reports: number[] = [];
  const r = new RateLimitedReport((n) => reports.push(n), 1000);
  r.add(1, 10_000);
  for (let i = 1; i <= 29; i++) r.add(1, 10_000 + i * 33); // thirty a second
  assert.deepEqual(reports, [1], 'one line within the interval');
  r.add(2, 11_000);
  assert.deepEqual(reports, [1, 31], 'the next line carries everything since');
  r.add(1, 11_500);
  assert.deepEqual(reports, [1, 31]);
});
