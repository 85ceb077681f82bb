import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../../src/hub/hub.js';
import { serveMjpeg } from '../../../src/transports/http/mjpeg.js';
import { MJPEG_CONTENT_TYPE } from '../../../src/transports/http/multipart.js';
import { handlerServer, TYPED_ERROR_STATUS, type HandlerServer } from '../../helpers/handler-server.js';
import { fakeFrame } from '../../helpers/frames.js';
import { waitUntil } from '../../../support/net.js';

describe('mjpeg', () => {
  const hub = new Hub();
  let server: HandlerServer;
  let base: string;
  before(async () => {
    server = await handlerServer((req, res) => serveMjpeg(hub, req.url!.slice(1), res, { writeStallMs: 5000, label: 'test' }));
    base = server.base;
  });
  after(async () => {
    await hub.close();
    await server.close();
  });

  it('sends each published frame as a part and ends with the stream, releasing its reader', async () => {
    const pub = hub.publish('cam');
    const r = await fetch(`${base}/cam`);
    assert.equal(r.headers.get('content-type'), MJPEG_CONTENT_TYPE);
    await waitUntil(() => hub.get('cam')!.stats().readers.length === 1, 3000, 'a reader');
    pub.publish(fakeFrame(7, { stream: 'cam' }));
    const body = r.body!.getReader();
    let text = '';
    while (!text.includes('X-Camwire-Seq: 7')) text += Buffer.from((await body.read()).value!).toString('latin1');
    pub.end();
    for (;;) if ((await body.read()).done) break; // END ends the response
    await waitUntil(() => hub.get('cam') === undefined, 3000, 'the reader released and the stream gone');
  });

  it('ends the response instead of sending a codec the client cannot play', async () => {
    const pub = hub.publish('switch');
    pub.publish(fakeFrame(1, { stream: 'switch' }));
    const r = await fetch(`${base}/switch`);
    pub.publish(fakeFrame(2, { stream: 'switch', codec: 'h264' }));
    const text = await r.text();
    assert.ok(!text.includes('X-Camwire-Seq: 2'));
    pub.end();
  });

  it('throws typed errors for missing and H.264 streams and creates nothing', async () => {
    hub.publish('h264').publish(fakeFrame(0, { stream: 'h264', codec: 'h264' }));
    assert.equal(await (await fetch(`${base}/ghost`)).text(), 'CAMWIRE_ERR_NOT_FOUND');
    assert.equal(await (await fetch(`${base}/h264`)).text(), 'CAMWIRE_ERR_WRONG_CODEC');
    assert.equal(hub.get('ghost'), undefined);
  });
});
