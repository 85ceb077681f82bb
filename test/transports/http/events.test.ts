import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startHub } from '../../../src/api/hub-server.js';
import type { StreamEvent } from '../../../src/hub/event-log.js';

function event(id: string, stream: string, startMs: number, endMs: number | null): StreamEvent {
  return { id, type: 'motion', stream, startMs, endMs, peakScore: 0.05, zone: 'all', snapshot: `/api/events/${id}.jpg`, clip: { fromMs: startMs - 5000, toMs: (endMs ?? startMs) + 10000, url: null } };
}

test('/api/events lists events newest first, filtered by stream and time; /api/events/ID.jpg is the snapshot; bad queries are 400', async () => {
  const server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1' });
  try {
    const log = server.events.log;
    const jpeg = Buffer.from([0xff, 0xd8, 9, 9, 0xff, 0xd9]);
    log.add(event('door-1', 'door', 1_000, 2_000), jpeg);
    log.add(event('gate-1', 'gate', 5_000, 6_000));
    log.add(event('door-2', 'door', 10_000, null));
    const base = `http://127.0.0.1:${server.http!.port}`;
    const ids = async (q: string) => ((await (await fetch(`${base}/api/events${q}`)).json()) as { events: StreamEvent[] }).events.map((e) => e.id);
    assert.deepEqual(await ids(''), ['door-2', 'gate-1', 'door-1']);
    assert.deepEqual(await ids('?stream=door'), ['door-2', 'door-1']);
    assert.deepEqual(await ids('?since=5500'), ['door-2', 'gate-1'], 'an event still going on matches any since');
    assert.deepEqual(await ids(`?until=${encodeURIComponent(new Date(4_000).toISOString())}`), ['door-1']);
    assert.deepEqual(await ids('?stream=door&limit=1'), ['door-2']);
    const snap = await fetch(`${base}/api/events/door-1.jpg`);
    assert.equal(snap.status, 200);
    assert.equal(snap.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await snap.arrayBuffer()), jpeg);
    assert.equal((await fetch(`${base}/api/events/gate-1.jpg`)).status, 404);
    for (const q of ['?since=yesterday', '?limit=0', '?limit=100000', '?colour=red', '?stream=..%2Fx']) {
      const r = await fetch(`${base}/api/events${q}`);
      assert.equal(r.status, 400, q);
      assert.match(((await r.json()) as { error: { code: string } }).error.code, /CAMWIRE_ERR_BAD_(REQUEST|STREAM_NAME)/);
    }
    assert.equal((await fetch(`${base}/api/events/a%20b.jpg`)).status, 400);
  } finally {
    await server.close();
  }
});

test('/api/events needs the token on a hub with a token', async () => {
  const server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1', token: 's3cret' });
  try {
    const base = `http://127.0.0.1:${server.http!.port}`;
    assert.equal((await fetch(`${base}/api/events`)).status, 401);
    assert.equal((await fetch(`${base}/api/events`, { headers: { Authorization: 'Bearer s3cret' } })).status, 200);
  } finally {
    await server.close();
  }
});

test('the viewer WebSocket announces events live: start, update and end', async () => {
  const server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1' });
  const ws = new WebSocket(`ws://127.0.0.1:${server.http!.port}/ws`);
  try {
    const got: { phase: string; event: StreamEvent }[] = [];
    ws.on('message', (data, binary) => {
      if (binary) return;
      const m = JSON.parse(String(data));
      if (m.type === 'event') got.push(m);
    });
    await new Promise((r) => ws.once('open', r));
    await new Promise((r) => ws.once('message', r)); // hello: the session is registered
    const log = server.events.log;
    log.add(event('door-1', 'door', 1_000, null));
    log.update('door-1', { peakScore: 0.2 }, 'update');
    log.update('door-1', { endMs: 3_000 }, 'end');
    const end = Date.now() + 5000;
    while (got.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got.map((m) => [m.phase, m.event.id, m.event.peakScore, m.event.endMs]), [
      ['start', 'door-1', 0.05, null],
      ['update', 'door-1', 0.2, null],
      ['end', 'door-1', 0.2, 3_000],
    ]);
  } finally {
    ws.close();
    await server.close();
  }
});
