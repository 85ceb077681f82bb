/**
 * Hub chains: three real hubs (TCP on free ports), each pulling the previous one's stream with
 * `tcp://HOST:PORT/NAME` as a source. Frames reach the end of the chain with the capture time
 * they were published with; a hub never pulls a stream that already passed through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type HubServer } from '../../src/api/hub-server.js';
import { hubSource, isHubUrl } from '../../src/api/hub-source.js';
import { pullInto } from '../../src/api/remote.js';
import type { Frame } from '../../src/frame/frame.js';
import { Hub } from '../../src/hub/hub.js';
import type { Source } from '../../src/sources/source.js';
import { setLogSink } from '../../src/util/logger.js';
import { h264Frames } from '../../support/h264.js';
import { waitUntil } from '../../support/net.js';
import { Replay } from '../../support/replay.js';
import { requireTool } from '../helpers/tools.js';

const hubOpts = { tcpPort: 0, httpPort: null, host: '127.0.0.1' } as const;
const url = (h: HubServer, name: string) => `tcp://127.0.0.1:${h.tcp!.port}/${name}`;

test('isHubUrl: tcp:// stream URLs, not old wire= programs or listening senders', () => {
  assert.ok(isHubUrl('tcp://hub:8089/door'));
  assert.ok(!isHubUrl('tcp://robot:8089?wire=len-jpeg'));
  assert.ok(!isHubUrl('tcp://0.0.0.0:8089?listen'));
  assert.ok(!isHubUrl('rtmp://nginx/live/door'));
});

test('a chain of three hubs: frames arrive at the end in order with their original capture times, and the stream knows its path', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const [a, b, c] = [await startHub(hubOpts), await startHub(hubOpts), await startHub(hubOpts)];
  const sources: Source[] = [];
  const local = new Hub();
  const replay = new Replay(a.hub.publish('cam', 'test'), h264Frames({ width: 160, height: 120, fps: 30, frames: 30, gop: 30 }, 'cam'), 30);
  const captured = new Map<number, number>();
  const origin = a.hub.read('cam', { label: 'capture log', queue: { frames: 1000, bytes: 64 << 20 } });
  void (async () => {
    for await (const f of origin) captured.set(f.seq, f.captureUs);
  })();
  t.after(async () => {
    replay.stop();
    for (const s of sources) await s.close();
    await local.close();
    for (const h of [a, b, c]) await h.close();
  });
  const chain = async (from: HubServer, to: HubServer, name: string, as: string) => {
    const s = hubSource(url(from, name), {});
    sources.push(s);
    await s.start(to.hub.publish(as, url(from, name)));
  };
  replay.start();
  await chain(a, b, 'cam', 'cam-b');
  // A hub learns a stream's path when it connects: C joins once B's stream is flowing.
  await waitUntil(() => (b.hub.get('cam-b')?.framesIn ?? 0) > 0, 10_000, 'B to relay A');
  await chain(b, c, 'cam-b', 'cam-c');
  await waitUntil(() => (c.hub.get('cam-c')?.framesIn ?? 0) > 0, 10_000, 'C to relay B');
  const viewer = local.read('end', { queue: { frames: 200, bytes: 16 << 20 } });
  const client = pullInto(url(c, 'cam-c'), local, 'end', { reconnect: false });
  t.after(() => client.close());
  const got: Frame[] = [];
  for await (const f of viewer) {
    got.push(f);
    if (got.length === 40) break;
  }
  origin.close();
  assert.equal(got[0].keyframe, true);
  for (let i = 1; i < got.length; i++) assert.equal(got[i].seq, got[i - 1].seq + 1, 'in order, none lost');
  const checked = got.filter((f) => captured.has(f.seq));
  assert.ok(checked.length >= 20, `${checked.length} frames matched to their publication`);
  for (const f of checked) assert.equal(f.captureUs, captured.get(f.seq), `frame ${f.seq} keeps its capture time across three hubs`);
  assert.deepEqual(c.hub.get('cam-c')!.via, [b.hub.id, a.hub.id], 'hub C knows its stream came through B, then A');
  assert.deepEqual(local.get('end')!.via, [c.hub.id, b.hub.id, a.hub.id]);
});

test('a hub refuses to pull a stream that passed through itself: one line, CAMWIRE_ERR_LOOP, no retry loop', { timeout: 60_000 }, async (t) => {
  const [a, b] = [await startHub(hubOpts), await startHub(hubOpts)];
  const lines: string[] = [];
  setLogSink((l) => {
    lines.push(l);
    process.stderr.write(l + '\n');
  });
  const sources: Source[] = [];
  const replay = new Replay(a.hub.publish('cam', 'test'), h264Frames({ width: 160, height: 120, fps: 30, frames: 30, gop: 30 }, 'cam'), 30).start();
  t.after(async () => {
    setLogSink((l) => process.stderr.write(l + '\n'));
    replay.stop();
    for (const s of sources) await s.close();
    for (const h of [a, b]) await h.close();
  });
  const pull = async (from: HubServer, to: HubServer, name: string, as: string) => {
    const s = hubSource(url(from, name), {});
    sources.push(s);
    await s.start(to.hub.publish(as, url(from, name)));
    return s;
  };
  await pull(a, b, 'cam', 'relay');
  await waitUntil(() => (b.hub.get('relay')?.framesIn ?? 0) > 0, 10_000, 'B to relay A');
  // A pulling B's relay would feed A's own stream back to A.
  const back = await pull(b, a, 'relay', 'echo');
  await back.done;
  const self = await pull(a, a, 'cam', 'self');
  await self.done;
  const loops = lines.filter((l) => /\[source\].*already comes from this hub/.test(l));
  assert.equal(loops.length, 2, lines.join('\n'));
  assert.match(loops[0], new RegExp(`hub chain ${a.hub.id} ← ${b.hub.id} ← ${a.hub.id}`));
  assert.equal(a.hub.get('echo')?.framesIn ?? 0, 0, 'nothing looped back');
});
