import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSourceSpec, redactUrl } from '../../src/sources/spec.js';
import { isCamwireError } from '../../src/util/errors.js';

test('parses every SOURCE form and rejects others with the list of forms', () => {
  assert.deepEqual(parseSourceSpec('camera'), { kind: 'camera' });
  assert.deepEqual(parseSourceSpec('camera:2'), { kind: 'camera', which: '2' });
  assert.deepEqual(parseSourceSpec('camera:/dev/video2'), { kind: 'camera', which: '/dev/video2' });
  assert.deepEqual(parseSourceSpec('file:lobby.mp4'), { kind: 'file', path: 'lobby.mp4' });
  assert.deepEqual(parseSourceSpec('rtsp://u:p@10.0.0.7/s1'), { kind: 'url', url: 'rtsp://u:p@10.0.0.7/s1' });
  assert.deepEqual(parseSourceSpec('https://cam/mjpg'), { kind: 'url', url: 'https://cam/mjpg' });
  assert.throws(() => parseSourceSpec('webcam'), (e) => isCamwireError(e, 'CAMWIRE_ERR_CONFIG') && /camera:N/.test(e.message));
  assert.equal(redactUrl('failed: rtsp://admin:s3cret@10.0.0.7/s1 refused'), 'failed: rtsp://admin:***@10.0.0.7/s1 refused');
});
