import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHub, type HubServer } from '../../../src/api/hub-server.js';
import { parseUdpUrl } from '../../../src/config/udp-url.js';
import type { Frame } from '../../../src/frame/frame.js';
import { Hub } from '../../../src/hub/hub.js';
import { UdpHubClient } from '../../../src/transports/udp/client.js';
import { udpOptions } from '../../../src/transports/udp/options.js';
import { encodeError, encodeWelcome } from '../../../src/transports/udp/control.js';
import { LossyRelay } from '../../../support/lossy-relay.js';
import { waitUntil } from '../../../support/net.js';
import { RawPeer } from '../../helpers/udp-peer.js';
import { testFrame } from '../../../support/udp-frames.js';

let server: HubServer;
let port: number;
before(async () => {
  server = await startHub({ tcpPort: null, httpPort: null, udpPort: 0, host: '127.0.0.1', udpRefreshMs: 100 });
  port = server.udp!.port;
});
after(() => server.close());

describe('udp hub client', () => {
  it('publishes after one awaited start, and close() says BYE, releases its reader and is idempotent', async () => {
    const local = new Hub();
    const pub = local.publish('cam', 'test');
    const reader = local.read('cam');
    const c = new UdpHubClient(parseUdpUrl(`udp://127.0.0.1:${port}/cl1`), udpOptions(), { role: 'publish', reader });
    await c.start();
    const timer = setInterval(() => pub.publish({ ...testFrame(3000, 1), stream: 'cam' }), 20);
    try {
      await waitUntil(() => (server.hub.get('cl1')?.stats().framesIn ?? 0) > 3, 5000, 'frames to reach the hub');
      await c.close();
      await c.close();
      assert.ok(reader.closed, 'the hub reader was released');
      await c.done;
      await waitUntil(() => !server.hub.get('cl1')?.publisher, 3000, 'BYE to free the publisher slot');
    } finally {
      clearInterval(timer);
      await local.close();
    }
  });

  it('sends END when its source ends, so the hub stream ends and the client finishes', async () => {
    const local = new Hub();
    const pub = local.publish('cam', 'test');
    const c = new UdpHubClient(parseUdpUrl(`udp://127.0.0.1:${port}/cl2`), udpOptions(), { role: 'publish', reader: local.read('cam') });
    await c.start();
    for (let i = 0; !server.hub.get('cl2')?.stats().framesIn && i < 200; i++) {
      pub.publish({ ...testFrame(3000, i), stream: 'cam' });
      await new Promise((r) => setTimeout(r, 20));
    }
    pub.end();
    await c.done;
    await waitUntil(() => !server.hub.get('cl2')?.publisher, 3000, 'END to end the hub stream');
    await local.close();
  });

  it('delivers a hub stream to its sink and closes before or after start without leaking', async () => {
    const got: Omit<Frame, 'stream'>[] = [];
    const early = new UdpHubClient(parseUdpUrl(`udp://127.0.0.1:${port}/cl3`), udpOptions(), { role: 'view', sink: { frame: () => {}, end: () => {} } });
    await early.close();
    const c = new UdpHubClient(parseUdpUrl(`udp://127.0.0.1:${port}/cl3`), udpOptions(), { role: 'view', sink: { frame: (f) => got.push(f), end: () => {} } });
    await c.start();
    const pub = server.hub.publish('cl3', 'test');
    const timer = setInterval(() => pub.publish({ ...testFrame(3000, 1), stream: 'cl3' }), 20);
    try {
      await waitUntil(() => got.length >= 3, 5000, 'frames through the hub');
      await c.close();
      await waitUntil(() => (server.hub.get('cl3')?.readers.size ?? 0) === 0, 3000, 'BYE to free the hub reader');
    } finally {
      clearInterval(timer);
      pub.end();
    }
  });

  it('takes no WELCOME or ERROR that does not echo its HELLO\'s nonce: a spoofer on the hub\'s address cannot re-target or stop it', async () => {
    // The client reaches the hub through a relay; datagrams sent to the relay's upstream port
    // reach the client from "the hub's" address, as a spoofer's would.
    const relay = await LossyRelay.start({ host: '127.0.0.1', port }, { seed: 1 });
    const got: Omit<Frame, 'stream'>[] = [];
    const c = new UdpHubClient(parseUdpUrl(`udp://127.0.0.1:${relay.port}/cl4`), udpOptions(), { role: 'view', sink: { frame: (f) => got.push(f), end: () => {} } });
    const pub = server.hub.publish('cl4', 'test');
    const timer = setInterval(() => pub.publish({ ...testFrame(3000, 1), stream: 'cl4' }), 20);
    const spoofer = await RawPeer.open();
    let failed: unknown;
    c.done.catch((e) => (failed = e));
    try {
      await c.start();
      await waitUntil(() => got.length >= 3, 5000, 'frames through the hub');
      for (const p of relay.upstreamPorts()) {
        spoofer.send(encodeWelcome({ stream: 'cl4', streamId: 0x1234, refreshMs: 100 }), p);
        spoofer.send(encodeWelcome({ stream: 'cl4', streamId: 0x1234, refreshMs: 100, nonce: 'guessed' }), p);
        spoofer.send(encodeError({ code: 'CAMWIRE_ERR_UNAUTHORIZED', message: 'spoofed' }), p);
      }
      await waitUntil(() => c.rejections.count('CAMWIRE_ERR_UNKNOWN_PEER') >= 3, 3000, 'the spoofed answers counted');
      const before = got.length;
      await waitUntil(() => got.length >= before + 5, 5000, 'frames still arriving on the welcomed stream id');
      assert.equal(failed, undefined, 'a spoofed UNAUTHORIZED did not stop the client');
    } finally {
      clearInterval(timer);
      pub.end();
      await spoofer.close();
      await c.close();
      await relay.close();
    }
  });
});
