import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needOf, QUERY_TOKEN_ROUTES } from '../../../src/transports/http/access.js';
import { parseTarget } from '../../../src/transports/http/router.js';

test('every route asks for its action, on the stream it names', () => {
  const need = (target: string, method = 'GET') => {
    const t = parseTarget(method, target);
    return needOf(t.route, t.query, (id) => (id === 'door-1' ? 'door' : undefined));
  };
  assert.deepEqual(need('/streams/yard/cam1.mjpeg'), { action: 'view', stream: 'yard/cam1' });
  assert.deepEqual(need('/streams/lab.jpg'), { action: 'view', stream: 'lab' });
  assert.deepEqual(need('/ws'), { action: 'view' });
  assert.deepEqual(need('/api/streams'), { action: 'api' });
  assert.deepEqual(need('/api/events?stream=door'), { action: 'api' });
  assert.deepEqual(need('/api/events/door-1.jpg'), { action: 'view', stream: 'door' });
  assert.deepEqual(need('/api/events/gone-2.jpg'), { action: 'view', stream: undefined }, 'an unknown event needs view on every stream');
  assert.deepEqual(need('/metrics'), { action: 'metrics' });
  assert.deepEqual(need('/streams/yard/cam1/index.m3u8'), { action: 'view', stream: 'yard/cam1' });
  assert.deepEqual(need('/api/recordings'), { action: 'api' });
  assert.deepEqual(need('/api/recordings?stream=yard/cam1'), { action: 'playback', stream: 'yard/cam1' });
  assert.deepEqual(need('/api/recordings/clip.mp4?stream=door&from=1&to=2'), { action: 'playback', stream: 'door' });
  assert.deepEqual(need('/recordings/yard~cam1/2026-11-29/101500.000.mp4'), { action: 'playback', stream: 'yard/cam1' });
  for (const open of ['/', '/app.js', '/healthz', '/api/session']) assert.equal(need(open), undefined, open);
  assert.equal(need('/api/session', 'POST'), undefined);
});

test('?token= counts only where a client cannot send headers', () => {
  // hls: native HLS players (Safari's <video>) cannot send headers either.
  assert.deepEqual([...QUERY_TOKEN_ROUTES].sort(), ['eventSnapshot', 'hls', 'mjpeg', 'recordings', 'snapshot', 'ws']);
});
