/**
 * Attacks from issue 12's table, TCP rows, short enough for CI (a few seconds each). The slot
 * lockout row is not here yet: on this shared machine its good-viewer share was not stable
 * enough to tell fixed from broken (see /work/notes/tcp.md); support/attack-tcp.ts has its driver.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { publishTo, readFrom } from '../../../src/api/remote.js';
import { Decoder } from '../../../src/transports/tcp/decoder.js';
import { encodeError, encodeHello } from '../../../src/transports/tcp/messages.js';
import { setLogLevel } from '../../../src/util/logger.js';
import { attackerAddresses, frameFirst, sampleRss, startAttackHub } from '../../../support/attack-tcp.js';
import { fakeFrame } from '../../helpers/frames.js';
import { rawConnect, waitUntil } from '../../../support/net.js';

setLogLevel('silent');

describe('TCP attacks (issue 12)', () => {
  it('memory before auth: 40 FRAME-first peers pushing 8 MiB each leave the hub ≤ 64 KiB per peer (+ 32 MiB slack)', async () => {
    const hub = await startAttackHub();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const rss = sampleRss(hub.proc.pid!);
      const from = attackerAddresses(4);
      const stats = await frameFirst(hub.port, from, 10, Date.now() + 4000, 8 * 1024 * 1024);
      rss.stop();
      const grew = rss.peak() - rss.before;
      assert.ok(grew <= (40 * 64) / 1024 + 32, `hub RSS grew ${grew.toFixed(1)} MiB (${rss.before.toFixed(0)} → ${rss.peak().toFixed(0)}) under ${stats.connections} FRAME-first connections`);
      console.log(`# memory before auth: hub RSS ${rss.before.toFixed(0)} → peak ${rss.peak().toFixed(0)} MiB, ${stats.connections} connections, refusals ${JSON.stringify(stats.refusals)}`);
      assert.ok((stats.refusals.CAMWIRE_ERR_UNEXPECTED_MESSAGE ?? 0) > 0, `refused at the header: ${JSON.stringify(stats.refusals)}`);
    } finally {
      await hub.close();
    }
  });

  it('stream squatting: a ?listen camera refuses an inbound publisher; its viewers keep the camera', async () => {
    const cam = await publishTo('tcp://127.0.0.1:0?listen');
    try {
      const s = await rawConnect(cam.port);
      s.on('error', () => {});
      const d = new Decoder();
      const got: string[] = [];
      s.on('data', (c) => {
        for (const m of d.push(c)) got.push(m.type === 'error' ? m.error.code : m.type);
      });
      s.write(encodeHello({ role: 'publish', stream: 'default' }));
      await waitUntil(() => got.length > 0, 5000, 'an answer to the squatter');
      assert.deepEqual(got, ['CAMWIRE_ERR_FORBIDDEN']);
      s.destroy();
      const viewer = readFrom(`tcp://127.0.0.1:${cam.port}`, { reconnect: false });
      const first = (async () => {
        for await (const f of viewer) return f;
      })();
      const t = setInterval(() => cam.publish(fakeFrame(7, { stream: 'default' })), 50);
      const f = await first;
      clearInterval(t);
      assert.equal(f?.seq, 7, "the viewer gets the camera's own frames");
    } finally {
      await cam.close();
    }
  });

  it('hostile ERROR codes (constructor, __proto__, toString, …) end a viewer and a sender with CAMWIRE_ERR_REMOTE and crash nothing', async () => {
    const codes = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'CAMWIRE_ERR_NO_SUCH'];
    for (const code of codes) {
      const server = createServer((s) => {
        s.on('error', () => {});
        s.once('data', () => s.end(encodeError({ code, message: 'hostile' })));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as { port: number }).port;
      const viewer = readFrom(`tcp://127.0.0.1:${port}/x`, { reconnect: false });
      await assert.rejects(viewer.client.done, (e) => (e as { code?: string }).code === 'CAMWIRE_ERR_REMOTE', `viewer, code ${code}`);
      await viewer.close();
      const sender = await publishTo(`tcp://127.0.0.1:${port}/x`, { reconnect: false });
      await assert.rejects(sender.done, (e) => (e as { code?: string }).code === 'CAMWIRE_ERR_REMOTE', `sender, code ${code}`);
      await sender.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
