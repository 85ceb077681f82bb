import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MJPEG_BOUNDARY, MJPEG_CONTENT_TYPE, PART_TRAILER, partHeader } from '../../../src/transports/http/multipart.js';
import { fakeFrame } from '../../helpers/frames.js';

describe('multipart', () => {
  it('writes a part header with length, seq and capture time that a multipart reader splits on', () => {
    const f = fakeFrame(42, { captureUs: 1767225600123456 });
    const head = partHeader(f).toString('latin1');
    assert.equal(head, `--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${f.payload.length}\r\nX-Camwire-Seq: 42\r\nX-Camwire-Capture-Us: 1767225600123456\r\n\r\n`);
    assert.equal(MJPEG_CONTENT_TYPE, `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`);
    // Two parts back to back parse into exactly the two payloads.
    const body = Buffer.concat([partHeader(f), f.payload, PART_TRAILER, partHeader(fakeFrame(43)), fakeFrame(43).payload, PART_TRAILER]).toString('latin1');
    const parts = body.split(`--${MJPEG_BOUNDARY}\r\n`).slice(1).map((p) => {
      const [h, rest] = [p.slice(0, p.indexOf('\r\n\r\n')), p.slice(p.indexOf('\r\n\r\n') + 4)];
      const len = Number(/Content-Length: (\d+)/.exec(h)![1]);
      assert.equal(rest.slice(len), '\r\n', 'the part ends right after its declared length');
      return rest.slice(0, len);
    });
    assert.deepEqual(parts, [f.payload.toString('latin1'), fakeFrame(43).payload.toString('latin1')]);
  });
});
