import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describePushFailure, isPushUrl, parsePushList, parsePushSpec, ProgressReader, pushArgs } from '../../../src/sinks/push/target.js';
import { isCamwireError } from '../../../src/util/errors.js';

test('push URLs: rtmp, rtmps, rtsp, rtsps and srt; anything else is not one', () => {
  for (const u of ['rtmp://h/live/x', 'RTMPS://h/live/x', 'rtsp://h:8554/door', 'rtsps://h/door', 'srt://h:9000?streamid=door']) assert.ok(isPushUrl(u), u);
  for (const u of ['tcp://h:8089/x', 'http://h/x', 'rtmp://', 'file:/tmp/x', 'rtmp:/h']) assert.ok(!isPushUrl(u), u);
});

test('NAME=URL specs: parsed, listed with commas or spaces; bad ones refused with a clear line that hides passwords', () => {
  assert.deepEqual(parsePushSpec('door=rtmp://nginx/live/door'), { stream: 'door', url: 'rtmp://nginx/live/door' });
  assert.deepEqual(parsePushList('a=srt://h:9000?streamid=a, b=rtsp://h/b  c=rtmp://h/live/c').map((p) => p.stream), ['a', 'b', 'c']);
  assert.deepEqual(parsePushList(''), []);
  assert.throws(() => parsePushSpec('rtmp://h/live/x'), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /NAME=URL/.test((e as Error).message));
  assert.throws(() => parsePushSpec('../x=rtmp://h/live/x'), (e) => isCamwireError(e, 'CAMWIRE_ERR_BAD_STREAM_NAME'));
  assert.throws(
    () => parsePushSpec('door=http://user:secret@h/x'),
    (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /rtmp:\/\//.test((e as Error).message) && !(e as Error).message.includes('secret'),
  );
});

test('the ffmpeg command copies H.264 from stdin to the container of each kind of server', () => {
  const tail = (u: string) => pushArgs(u).slice(pushArgs(u).indexOf('pipe:1') + 1);
  assert.ok(pushArgs('rtmp://h/live/x').includes('copy'));
  assert.deepEqual(pushArgs('rtmp://h/live/x').slice(pushArgs('rtmp://h/live/x').indexOf('-i'), pushArgs('rtmp://h/live/x').indexOf('-i') + 2), ['-i', 'pipe:0']);
  assert.deepEqual(tail('rtmp://h/live/x').slice(-1), ['rtmp://h/live/x']);
  assert.ok(tail('rtmp://h/live/x').includes('flv'));
  assert.deepEqual(tail('rtsp://h/x'), ['-stats_period', '0.5', '-f', 'rtsp', '-rtsp_transport', 'tcp', 'rtsp://h/x']);
  assert.deepEqual(tail('srt://h:1?streamid=x').slice(-3), ['-f', 'mpegts', 'srt://h:1?streamid=x']);
});

test('a failed push is one line saying what the server did, with ffmpeg\'s words and no password', () => {
  const line = (lines: string[]) => describePushFailure('push door → rtmp://u:***@h/live/door', lines, 'exit code 1');
  assert.match(line(['[tcp @ 0x1] Connection to tcp://127.0.0.1:1935?tcp_nodelay=0 failed: Connection refused']), /connection refused \(is the server running/);
  assert.match(line(['[rtsp @ 0x1] method ANNOUNCE failed: 401 Unauthorized']), /refused the credentials/);
  assert.match(line(['[rtsp @ 0x1] method ANNOUNCE failed: 404 Not Found']), /not found on the server/);
  assert.match(line(['[rtmp @ 0x1] Server error: Already publishing']), /refused to take this stream/);
  const l = line(['rtmp://user:hunter2@h/live/door: Input/output error']);
  assert.ok(!l.includes('hunter2'), l);
  assert.match(l, /\(exit code 1\)$/);
});

test('ffmpeg\'s -progress output: bytes written and frames, a report per block, lines cut at any byte', () => {
  const r = new ProgressReader();
  const text = 'frame=10\nfps=30.0\ntotal_size=48213\nout_time_us=1000\nprogress=continue\nframe=25\ntotal_size=99000\nprogress=end\n';
  let reports = 0;
  for (let i = 0; i < text.length; i += 7) if (r.push(Buffer.from(text.slice(i, i + 7)))) reports++;
  assert.equal(reports, 2);
  assert.deepEqual(r.progress, { totalSize: 99000, frames: 25 });
  r.push(Buffer.from('total_size=N/A\n'));
  assert.equal(r.progress.totalSize, 99000, 'N/A keeps the last number');
  r.push(Buffer.alloc(10_000, 0x41)); // a junk line without a newline stays bounded
  r.push(Buffer.from('\ntotal_size=5\n'));
  assert.equal(r.progress.totalSize, 5);
});
