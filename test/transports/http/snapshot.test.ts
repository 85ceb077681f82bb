import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../../src/hub/hub.js';
import { serveSnapshot } from '../../../src/transports/http/snapshot.js';
import { handlerServer, TYPED_ERROR_STATUS, type HandlerServer } from '../../helpers/handler-server.js';
import { fakeFrame, jpegOf } from '../../helpers/frames.js';

describe('snapshot', () => {
  const hub = new Hub();
  let server: HandlerServer;
  let base: string;
  before(async () => {
    server = await handlerServer((req, res) => serveSnapshot(hub, req.url!.slice(1), res));
    base = server.base;
  });
  after(async () => {
    await hub.close();
    await server.close();
  });

  it('answers with the newest frame byte for byte, its seq and capture time', async () => {
    const pub = hub.publish('cam');
    const jpeg = await jpegOf(32, 24);
    pub.publish(fakeFrame(1, { stream: 'cam' }));
    pub.publish(fakeFrame(2, { stream: 'cam', payload: jpeg, captureUs: 123 }));
    const r = await fetch(`${base}/cam`);
    assert.equal(r.status, 200);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), jpeg);
    assert.equal(r.headers.get('x-camwire-seq'), '2');
    assert.equal(r.headers.get('x-camwire-capture-us'), '123');
    assert.equal(r.headers.get('content-disposition'), 'inline; filename="cam-2.jpg"');
  });

  it('throws typed errors before writing anything, and creates no stream', async () => {
    hub.publish('empty');
    hub.publish('h264').publish(fakeFrame(0, { stream: 'h264', codec: 'h264' }));
    for (const [name, code] of [['ghost', 'CAMWIRE_ERR_NOT_FOUND'], ['empty', 'CAMWIRE_ERR_NO_FRAME_YET'], ['h264', 'CAMWIRE_ERR_WRONG_CODEC']]) {
      const r = await fetch(`${base}/${name}`);
      assert.equal(r.status, TYPED_ERROR_STATUS);
      assert.equal(await r.text(), code);
    }
    assert.equal(hub.get('ghost'), undefined);
  });
});
