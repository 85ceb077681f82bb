import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainFfmpegFailure, KEEP_LINES, StderrLog } from '../../../src/sources/ffmpeg/stderr.js';

test('explains ffmpeg failures in words a user can act on', () => {
  const cases: [string, RegExp][] = [
    ['lobby.mp4: No such file or directory', /not found/],
    ['[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video0: Device or resource busy', /busy/],
    ['[tcp @ 0x1] Connection to tcp://10.0.0.7:554?timeout=0 failed: Connection refused', /connection refused/],
    ['[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized', /credentials/],
    ['[http @ 0x1] HTTP error 404 Not Found', /not found on the server/],
    ['x.bin: Invalid data found when processing input', /not a video/],
    ['Unknown encoder \'libx264\'', /lacks the encoder/],
  ];
  for (const [line, re] of cases) assert.match(explainFfmpegFailure(['some banner', line, 'Exiting']).reason, re, line);
});


/** lines records what a StderrLog logs. */
function recorder(): { log: { error: (m: string) => void; warn: (m: string) => void; info: (m: string) => void; debug: (m: string) => void }; out: string[] } {
  const out: string[] = [];
  const put = (m: string) => void out.push(m);
  return { log: { error: put, warn: put, info: put, debug: put }, out };
}

test('StderrLog keeps the last KEEP_LINES lines across chunk boundaries, with credentials redacted and long lines cut', () => {
  const { log } = recorder();
  const s = new StderrLog('cam', log);
  s.push('first li');
  s.push('ne\r\nrtsp://admin:s3cret@10.0.0.7/s1 refused\n');
  assert.deepEqual(s.last(), ['first line', 'rtsp://admin:***@10.0.0.7/s1 refused']);
  for (let i = 0; i < KEEP_LINES + 5; i++) s.push(`line ${i}\n`);
  s.push('partial');
  const last = s.last();
  assert.equal(last.length, KEEP_LINES + 1, 'the kept lines and the partial one');
  assert.equal(last[0], 'line 5');
  assert.equal(last.at(-1), 'partial');
  s.push(`${'x'.repeat(5000)}\n`);
  assert.ok(s.last().at(-1)!.length <= 300, 'a junk line is cut');
  s.clear();
  assert.deepEqual(s.last(), []);
});

test('StderrLog logs at most 5 lines a second and says how many it held back; expected noise is kept but not logged', () => {
  const { log, out } = recorder();
  const s = new StderrLog('cam', log);
  for (let i = 0; i < 12; i++) s.push(`err ${i}\n`, 1000);
  s.push('deprecated pixel format used, make sure you did set range correctly\n', 1000);
  assert.deepEqual(out, ['cam: err 0', 'cam: err 1', 'cam: err 2', 'cam: err 3', 'cam: err 4']);
  s.push('later\n', 2100);
  assert.deepEqual(out.slice(5), ['cam: 7 more ffmpeg lines not shown', 'cam: later']);
  assert.ok(s.last().some((l) => l.startsWith('deprecated pixel format')), 'noise is kept for the failure line');
});
