import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact } from '../../src/util/redact.js';

const SECRETS = ['p@ss/w0rd', 'hunter2', 'tok3n', 'a:b@c/d?e#f', 'S3CR3T', 'Zm9vOmJhcg==', 'c2VjcmV0'];

test('redact hides userinfo with any characters, credential query keys and authorization values', () => {
  const cases: [string, string][] = [
    ['rtsp://admin:p@ss/w0rd@cam.local:554/stream1', 'rtsp://admin:***@cam.local:554/stream1'],
    ['rtsp://admin:hunter2@10.0.0.5/live', 'rtsp://admin:***@10.0.0.5/live'],
    ['tcp://tok3n@hub:8089/door', 'tcp://***@hub:8089/door'],
    ['tcp://cam:a:b@c/d?e#f@[::1]:8089/door', 'tcp://cam:***@[::1]:8089/door'],
    ['http://cam/snap.jpg?user=admin&password=hunter2&x=1', 'http://cam/snap.jpg?user=admin&password=***&x=1'],
    ['http://cam/snap.cgi?usr=a&pwd=hunter2', 'http://cam/snap.cgi?usr=a&pwd=***'],
    ['http://cam/?PASS=hunter2', 'http://cam/?PASS=***'],
    ['https://x/a?access_token=tok3n&api_key=S3CR3T', 'https://x/a?access_token=***&api_key=***'],
    ['ws://hub/ws?token=tok3n', 'ws://hub/ws?token=***'],
    ['/snapshot/door?token=tok3n', '/snapshot/door?token=***'],
    ['Authorization: Bearer tok3n', 'Authorization: Bearer ***'],
    ['Authorization: Basic Zm9vOmJhcg==', 'Authorization: Basic ***'],
    ['pulling "door" from rtsp://u:hunter2@cam/x and tcp://tok3n@hub/y', 'pulling "door" from rtsp://u:***@cam/x and tcp://***@hub/y'],
    ['{"publisher":"rtsp://u:hunter2@cam/x"}', '{"publisher":"rtsp://u:***@cam/x"}'],
    ['ffmpeg -i rtsp://u:hunter2@cam/x -f mjpeg -', 'ffmpeg -i rtsp://u:***@cam/x -f mjpeg -'],
  ];
  for (const [input, want] of cases) {
    const got = redact(input);
    assert.equal(got, want, input);
    for (const s of SECRETS) assert.ok(!got.includes(s), `${s} left in ${got}`);
  }
});

test('text without credentials is unchanged', () => {
  for (const s of ['tcp://127.0.0.1:8089/door', 'rtsp://cam.local:554/h264', 'http://hub:8080/?stream=door&keyframe=1', 'camera /dev/video0', 'user@example alone', 'e-mail a@b.c', 'receiving on udp://@127.0.0.1:50075', 'udp://@239.1.2.3:5000/cam']) {
    assert.equal(redact(s), s);
  }
});

test('publisher and reader labels (shown in /api/streams) and log lines are redacted at the source', async () => {
  const { Hub } = await import('../../src/hub/hub.js');
  const { createLogger, setLogSink } = await import('../../src/util/logger.js');
  const hub = new Hub();
  hub.publish('door', 'rtsp://admin:p@ss/w0rd@cam.local/stream1');
  const reader = hub.read('door', { label: 'http 10.0.0.5 /mjpeg/door?token=tok3n' });
  const json = JSON.stringify(hub.stats());
  assert.match(json, /rtsp:\/\/admin:\*\*\*@cam\.local\/stream1/);
  assert.match(json, /token=\*\*\*/);
  assert.ok(!json.includes('p@ss/w0rd') && !json.includes('tok3n'), json);
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  try {
    createLogger('test').info('pulling from rtsp://admin:hunter2@cam/x?password=hunter2');
  } finally {
    setLogSink((l) => process.stderr.write(l + '\n'));
  }
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes('hunter2'), lines[0]);
  reader.close?.();
  hub.close();
});
