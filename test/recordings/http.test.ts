import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { startHub } from '../../src/api/hub-server.js';
import { Recorder } from '../../src/sinks/recorder/recorder.js';
import { parseRange } from '../../src/transports/http/recordings.js';
import { setLogLevel } from '../../src/util/logger.js';
import { h264Frames } from '../../support/h264.js';
import { ffprobeFrames, tempDir } from '../../support/media.js';
import { frameMd5s, publishTimed, recorderOptions } from '../helpers/recordings.js';
import { requireTool } from '../helpers/tools.js';
import { get } from '../helpers/http.js';
import { writeCredentials } from '../helpers/auth.js';
import { authenticatorFromConfig } from '../../src/auth/index.js';
import { DEFAULTS } from '../../src/config/defaults.js';

/** rawGet sends the path as typed (fetch would normalise the dots away) and returns the status. */
async function rawGet(port: number, path: string): Promise<number> {
  return (await get(port, path)).status;
}

setLogLevel('error');
const tmp = tempDir();
after(() => tmp.cleanup());

test('playback over HTTP: list a span, fetch a segment whole and by Range, download a clip of a span that plays', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'ffmpeg')) return;
  const dir = tmp.file('rec');
  const server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1', recordDir: dir });
  const rec = new Recorder(server.hub, recorderOptions(dir, { segmentMs: 2000 }));
  await rec.start();
  const frames = h264Frames({ width: 320, height: 240, fps: 30, frames: 180, gop: 30 }, 'site/door');
  const base = Date.UTC(2026, 10, 29, 9, 0, 0) * 1000;
  await publishTimed(server.hub.publish('site/door'), frames, base);
  await rec.close();
  const url = `http://127.0.0.1:${server.http!.port}`;
  try {
    assert.deepEqual(await (await fetch(`${url}/api/recordings`)).json(), { streams: ['site/door'] });
    const list = (await (await fetch(`${url}/api/recordings?stream=site/door&from=${base / 1000}&to=${base / 1000 + 60_000}`)).json()) as { segments: { url: string; frames: number; startUs: number; endUs: number }[] };
    assert.deepEqual(list.segments.map((s) => s.frames), [60, 60, 60]);
    assert.equal(list.segments[0].url, '/recordings/site~door/2026-11-29/090000.000.mp4');
    const narrow = (await (await fetch(`${url}/api/recordings?stream=site/door&from=${base / 1000 + 2500}&to=${base / 1000 + 3000}`)).json()) as { segments: unknown[] };
    assert.equal(narrow.segments.length, 1, 'only the segment overlapping 2.5–3 s');

    const whole = Buffer.from(await (await fetch(url + list.segments[1].url)).arrayBuffer());
    const file = tmp.file('seg.mp4');
    writeFileSync(file, whole);
    assert.equal(ffprobeFrames(file), 60);
    const part = await fetch(url + list.segments[1].url, { headers: { Range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${whole.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), whole.subarray(100, 200));
    assert.equal((await fetch(url + list.segments[1].url, { headers: { Range: `bytes=${whole.length}-` } })).status, 416);
    assert.equal((await fetch(`${url}/recordings/site~door/2026-11-29/235959.000.mp4`)).status, 404);
    assert.equal((await fetch(`${url}/recordings/..~x/2026-11-29/090000.000.mp4`)).status, 404, 'no directory name starting with a dot');
    const climb = await rawGet(server.http!.port, '/recordings/site~door/../../../etc/passwd');
    assert.equal(climb, 400, 'a path trick is refused whole');

    // A clip from 2.5 s to 4.49 s starts at the keyframe at 2 s and ends with the frame at 4.467 s: 75 frames.
    const clip = await fetch(`${url}/api/recordings/clip.mp4?stream=site/door&from=${base / 1000 + 2500}&to=${base / 1000 + 4490}`);
    assert.equal(clip.status, 200);
    const clipFile = tmp.file('clip.mp4');
    writeFileSync(clipFile, Buffer.from(await clip.arrayBuffer()));
    const original = tmp.file('door.h264');
    writeFileSync(original, Buffer.concat(frames.map((f) => f.payload)));
    assert.deepEqual(frameMd5s(clipFile), frameMd5s(original, 'h264').slice(60, 135));
    const none = await fetch(`${url}/api/recordings/clip.mp4?stream=site/door&from=1000&to=2000`);
    assert.equal(none.status, 404);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'CAMWIRE_ERR_NO_RECORDING');
  } finally {
    await server.close();
  }
});

test('Range headers: a single range, an open end, a suffix, and what cannot be satisfied', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), [0, 9]);
  assert.deepEqual(parseRange('bytes=90-', 100), [90, 99]);
  assert.deepEqual(parseRange('bytes=-10', 100), [90, 99]);
  assert.deepEqual(parseRange('bytes=50-1000', 100), [50, 99]);
  assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=9-3', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-1,5-6', 100), undefined, 'several ranges: the whole file');
  assert.equal(parseRange(undefined, 100), undefined);
});

test('playback needs the playback action on the stream: segments, clips and lists follow each user\'s rules', { timeout: 60_000 }, async () => {
  const dir = tmp.file('rec-auth');
  const authFile = await writeCredentials([
    { name: 'alice', secret: 'alice-secret-1', allow: ['api', 'view:*', 'playback:door'] },
    { name: 'bob', secret: 'bob-secret-22', allow: ['api', 'view:*'] },
  ]);
  const auth = await authenticatorFromConfig({ ...DEFAULTS, authFile });
  const server = await startHub({ tcpPort: null, httpPort: 0, host: '127.0.0.1', recordDir: dir, auth });
  const rec = new Recorder(server.hub, recorderOptions(dir, { segmentMs: 2000 }));
  await rec.start();
  const base = Date.UTC(2026, 10, 29, 9, 0, 0) * 1000;
  for (const name of ['door', 'gate']) await publishTimed(server.hub.publish(name), h264Frames({ width: 160, height: 120, fps: 30, frames: 60, gop: 30 }, name), base);
  await rec.close();
  const url = `http://127.0.0.1:${server.http!.port}`;
  const as = (user: string, secret: string) => ({ headers: { Authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` } });
  const alice = as('alice', 'alice-secret-1');
  const bob = as('bob', 'bob-secret-22');
  const span = `from=${base / 1000}&to=${base / 1000 + 2000}`;
  try {
    assert.deepEqual(await (await fetch(`${url}/api/recordings`, alice)).json(), { streams: ['door'] }, 'alice sees the stream she may play back');
    assert.deepEqual(await (await fetch(`${url}/api/recordings`, bob)).json(), { streams: [] });
    assert.equal((await fetch(`${url}/api/recordings/clip.mp4?stream=door&${span}`, alice)).status, 200);
    assert.equal((await fetch(`${url}/api/recordings/clip.mp4?stream=gate&${span}`, alice)).status, 403, 'no playback on gate');
    assert.equal((await fetch(`${url}/api/recordings/clip.mp4?stream=door&${span}`, bob)).status, 403, 'view is not playback');
    const seg = ((await (await fetch(`${url}/api/recordings?stream=door&${span}`, alice)).json()) as { segments: { url: string }[] }).segments[0].url;
    assert.equal((await fetch(url + seg, alice)).status, 200);
    assert.equal((await fetch(url + seg, bob)).status, 403, 'segment files too');
    assert.equal((await fetch(url + seg)).status, 401, 'nobody without a credential');
  } finally {
    await server.close();
  }
});
