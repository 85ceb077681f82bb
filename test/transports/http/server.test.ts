import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import sharp from 'sharp';
import { isJpeg, jpegSize } from '../../../src/codecs/jpeg.js';
import { nowUs } from '../../../src/util/clock.js';
import { MAX_HEADER_BYTES } from '../../../src/transports/http/server.js';
import { MJPEG_CONTENT_TYPE } from '../../../src/transports/http/multipart.js';
import { get, rawRequest } from '../../helpers/http.js';
import { waitUntil } from '../../../support/net.js';
import { parsePrometheus } from '../../helpers/prometheus.js';
import { expectSkipsWhenStalled } from '../../helpers/stall.js';
import { startTestHub, type TestHub } from '../../helpers/streams.js';
import { requireTool } from '../../helpers/tools.js';

describe('HTTP endpoints', () => {
  let h: TestHub;
  let port: number;

  before(async () => {
    h = await startTestHub();
    port = h.server.http!.port;
    await h.publish('lab');
    await h.publish('yard/cam1', { width: 176, height: 144 });
    h.server.hub.publish('silent', 'test'); // a publisher that has sent nothing yet
    h.server.hub.publish('h264cam', 'test').publish({ stream: 'h264cam', codec: 'h264', keyframe: true, seq: 0, captureUs: nowUs(), width: 64, height: 64, payload: Buffer.from([0, 0, 0, 1, 0x65]) });
    await waitUntil(() => !!h.server.hub.get('lab')?.last && !!h.server.hub.get('yard/cam1')?.last, 5000, 'first frames');
  });
  after(() => h.close());

  it('serves the newest frame as a valid JPEG of the stream size', async () => {
    const r = await fetch(`${h.base}/streams/lab.jpg`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/jpeg');
    const b = Buffer.from(await r.arrayBuffer());
    assert.ok(isJpeg(b));
    assert.deepEqual(jpegSize(b), { width: 160, height: 120 });
    const meta = await sharp(b).metadata(); // a real decoder reads it
    assert.equal(meta.format, 'jpeg');
    assert.ok(Number(r.headers.get('x-camwire-capture-us')) <= nowUs());
  });

  it('serves grouped stream names', async () => {
    const r = await fetch(`${h.base}/streams/yard/cam1.jpg`);
    assert.equal(r.status, 200);
    assert.deepEqual(jpegSize(Buffer.from(await r.arrayBuffer())), { width: 176, height: 144 });
  });

  it('answers a missing stream with 404 JSON and creates nothing', async () => {
    for (const path of ['/streams/ghost.jpg', '/streams/ghost.mjpeg']) {
      const r = await fetch(h.base + path);
      assert.equal(r.status, 404);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'CAMWIRE_ERR_NOT_FOUND');
    }
    assert.equal(h.server.hub.get('ghost'), undefined);
  });

  it('answers a stream without frames with 503 and Retry-After', async () => {
    const r = await fetch(`${h.base}/streams/silent.jpg`);
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '1');
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'CAMWIRE_ERR_NO_FRAME_YET');
  });

  it('refuses JPEG endpoints for an H.264 stream with 409', async () => {
    for (const path of ['/streams/h264cam.jpg', '/streams/h264cam.mjpeg']) assert.equal((await fetch(h.base + path)).status, 409);
  });

  it('streams MJPEG that ffmpeg decodes at the right size', async (t) => {
    if (!requireTool(t, 'ffmpeg')) return;
    const frames = 8;
    const child = spawn('ffmpeg', ['-v', 'error', '-i', `${h.base}/streams/lab.mjpeg`, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0, err);
    assert.equal(Buffer.concat(out).length, frames * 160 * 120, 'ffmpeg decoded 8 frames of 160x120');
  });

  it('sends MJPEG as multipart parts with capture times', async () => {
    const ac = new AbortController();
    const r = await fetch(`${h.base}/streams/lab.mjpeg`, { signal: ac.signal });
    assert.equal(r.headers.get('content-type'), MJPEG_CONTENT_TYPE);
    const reader = r.body!.getReader();
    let text = '';
    while ((text.match(/--camwire-frame/g) ?? []).length < 3) text += Buffer.from((await reader.read()).value!).toString('latin1');
    ac.abort();
    assert.match(text, /^--camwire-frame\r\nContent-Type: image\/jpeg\r\nContent-Length: \d+\r\nX-Camwire-Seq: \d+\r\nX-Camwire-Capture-Us: \d+\r\n\r\n\xff\xd8/);
  });

  it('lists streams with stats and viewer counts in /api/streams', async () => {
    const ac = new AbortController();
    const mjpeg = await fetch(`${h.base}/streams/lab.mjpeg`, { signal: ac.signal });
    await mjpeg.body!.getReader().read();
    const body = (await (await fetch(`${h.base}/api/streams`)).json()) as { streams: { name: string; live: boolean; viewers: number; width: number; codec: string; fps: number }[] };
    ac.abort();
    const lab = body.streams.find((s) => s.name === 'lab')!;
    assert.equal(lab.live, true);
    assert.equal(lab.codec, 'mjpeg');
    assert.equal(lab.width, 160);
    assert.ok(lab.viewers >= 1, 'the MJPEG client counts as a viewer');
    assert.deepEqual(body.streams.map((s) => s.name).sort(), ['h264cam', 'lab', 'silent', 'yard/cam1']);
  });

  it('exposes metrics that a strict Prometheus parser accepts', async () => {
    await get(port, '/nope'); // so the response counter has a 404
    const r = await fetch(`${h.base}/metrics`);
    assert.match(r.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(await r.text());
    const frames = families.get('camwire_stream_frames_total')!;
    assert.equal(frames.type, 'counter');
    assert.ok(frames.samples.find((s) => s.labels.stream === 'yard/cam1')!.value > 0);
    for (const name of ['camwire_stream_bytes_total', 'camwire_stream_dropped_frames_total', 'camwire_stream_viewers', 'camwire_stream_latency_seconds', 'camwire_connections', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) {
      assert.ok(families.has(name), `missing ${name}`);
    }
    assert.equal(families.get('camwire_stream_latency_seconds')!.type, 'histogram');
    assert.ok(families.get('camwire_http_responses_total')!.samples.some((s) => s.labels.code === '404'));
    assert.ok(families.get('camwire_connections')!.samples.find((s) => s.labels.transport === 'http')!.value >= 1);
  });

  it('answers /healthz', async () => {
    const r = await fetch(`${h.base}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { status: string }).status, 'ok');
  });

  it('serves the viewer page with a content security policy', async () => {
    const r = await fetch(`${h.base}/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-security-policy')!, /default-src 'self'/);
    assert.match(await r.text(), /<script type="module" src="app.js">/);
    const etag = r.headers.get('etag')!;
    assert.equal((await fetch(`${h.base}/app.js`, { headers: { 'If-None-Match': etag } })).status, 200, 'another file, another etag');
    assert.equal((await fetch(`${h.base}/`, { headers: { 'If-None-Match': etag } })).status, 304);
  });

  const BAD: [string, string, number][] = [
    ['an unknown path', 'GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 404],
    ['POST with a body', 'POST /api/streams HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello', 405],
    ['PUT on a stream', 'PUT /streams/lab.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n', 405],
    ['a .. path', 'GET /streams/../metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
    ['an encoded .. path', 'GET /streams/%2e%2e/%2e%2e/etc/passwd.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
    ['a bad stream name', 'GET /streams/.x.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
    ['a request target over 2 KiB', `GET /?${'a'.repeat(3000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 414],
    ['headers over the limit', `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES + 100)}\r\n\r\n`, 431],
    ['a request that is not HTTP', 'HELLO THERE\r\n\r\n', 400],
    ['HTTP/1.1 without Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400],
    ['a WebSocket upgrade on another path', 'GET /streams/lab.mjpeg HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n', 404],
    ['/ws without an upgrade', 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
    ['a request for another host name (DNS rebinding)', 'GET /api/streams HTTP/1.1\r\nHost: attacker.example:8080\r\n\r\n', 421],
    ['a rebinding page\'s WebSocket (Host and Origin both attacker.example)', 'GET /ws HTTP/1.1\r\nHost: attacker.example\r\nOrigin: http://attacker.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n', 421],
    ['a WebSocket upgrade from another site\'s page', 'GET /ws?token=s3cret HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n', 403],
  ];
  for (const [name, req, status] of BAD) {
    it(`answers ${name} with ${status} and nothing else`, async () => {
      const before = h.server.hub.names().sort();
      const r = await rawRequest(port, req);
      assert.equal(r.status, status, `got ${r.status}: ${r.body.slice(0, 200)}`);
      if (status === 405) assert.equal(r.headers.allow, 'GET, HEAD');
      if (status === 421) assert.match(r.body, /CAMWIRE_ERR_FORBIDDEN_HOST[\s\S]*allowedHosts/);
      assert.deepEqual(h.server.hub.names().sort(), before, 'no stream created or removed');
      assert.equal((await get(port, '/healthz')).status, 200, 'the server still serves');
    });
  }

  it('answers HEAD on MJPEG with headers only', async () => {
    const r = await rawRequest(port, 'HEAD /streams/lab.mjpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 1500);
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
  });

  it('lets a paused MJPEG client skip frames instead of queuing them', async () => {
    await expectSkipsWhenStalled(h.server.hub, port, 'big', 'mjpeg', async (s) => void s.write('GET /streams/big.mjpeg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
  });
});

describe('HTTP slow clients', () => {
  it('answers a client that never finishes its headers with 408 and hangs up', async () => {
    const h = await startTestHub({ tcpPort: null });
    try {
      // Same server, a 300 ms header deadline instead of 10 s, so the test stays short.
      const { HttpServer } = await import('../../../src/transports/http/server.js');
      const slow = new HttpServer(h.server.hub, { token: '', writeStallMs: 1000, host: '127.0.0.1', port: 0, headersTimeoutMs: 300 });
      await slow.start();
      const r = await rawRequest(slow.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 5000);
      await slow.close();
      assert.equal(r.status, 408);
    } finally {
      await h.close();
    }
  });
});

describe('HTTP token', () => {
  let h: TestHub;
  before(async () => {
    h = await startTestHub({ token: 's3cret' });
    await h.publish('lab');
    await waitUntil(() => !!h.server.hub.get('lab')?.last, 5000, 'a first frame');
  });
  after(() => h.close());

  const CASES: [string, string, Record<string, string>, number][] = [
    ['the API without a token', '/api/streams', {}, 401],
    ['the API with a wrong token', '/api/streams', { Authorization: 'Bearer nope' }, 401],
    ['the API with the token in the query (headers expected there)', '/api/streams?token=s3cret', {}, 401],
    ['the API with a Bearer token', '/api/streams', { Authorization: 'Bearer s3cret' }, 200],
    ['a snapshot with ?token=', '/streams/lab.jpg?token=s3cret', {}, 200],
    ['a snapshot without a token', '/streams/lab.jpg', {}, 401],
    ['metrics with a wrong Bearer token', '/metrics', { Authorization: 'Bearer s3cre' }, 401],
    ['the page (public: it asks for the token itself)', '/', {}, 200],
    ['health (public)', '/healthz', {}, 200],
  ];
  for (const [name, path, headers, status] of CASES) {
    it(`answers ${name} with ${status}`, async () => {
      const r = await fetch(h.base + path, { headers });
      assert.equal(r.status, status);
      if (status === 401) assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="camwire"');
    });
  }

  it('refuses a WebSocket without the token and accepts one with it', async () => {
    const { WebSocket } = await import('ws');
    const port = h.server.http!.port;
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    assert.equal(refused, 401);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=s3cret`);
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    ws.close();
  });
});
