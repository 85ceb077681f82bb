import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { BASE_HEADERS, sendError, sendJson, statusOf } from '../../../src/transports/http/reply.js';
import { createError, type ErrorCode } from '../../../src/util/errors.js';

describe('reply', () => {
  let server: Server;
  let base: string;
  before(async () => {
    // A real node:http server whose handler is the function under test, picked by the path.
    server = createServer((req, res) => {
      const path = req.url!.slice(1);
      if (path === 'json') return sendJson(res, 201, { a: 1 }, { 'X-Extra': 'y' });
      sendError(res, createError(path as ErrorCode, `because ${path}`));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('maps error codes to statuses; anything unlisted is a 500', () => {
    assert.equal(statusOf('CAMWIRE_ERR_UNAUTHORIZED'), 401);
    assert.equal(statusOf('CAMWIRE_ERR_NOT_FOUND'), 404);
    assert.equal(statusOf('CAMWIRE_ERR_SOURCE'), 500);
  });

  it('sends JSON with the base headers, no caching and the extra headers', async () => {
    const r = await fetch(`${base}/json`);
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.headers.get('x-extra'), 'y');
    for (const [k, v] of Object.entries(BASE_HEADERS)) assert.equal(r.headers.get(k), v);
    assert.deepEqual(await r.json(), { a: 1 });
  });

  const HEADER_OF: [ErrorCode, number, string, string][] = [
    ['CAMWIRE_ERR_UNAUTHORIZED', 401, 'www-authenticate', 'Bearer realm="camwire"'],
    ['CAMWIRE_ERR_METHOD_NOT_ALLOWED', 405, 'allow', 'GET, HEAD'],
    ['CAMWIRE_ERR_NO_FRAME_YET', 503, 'retry-after', '1'],
  ];
  for (const [code, status, header, value] of HEADER_OF) {
    it(`sends ${code} as ${status} with ${header} and the typed body`, async () => {
      const r = await fetch(`${base}/${code}`);
      assert.equal(r.status, status);
      assert.equal(r.headers.get(header), value);
      assert.deepEqual(await r.json(), { error: { code, message: `because ${code}` } });
    });
  }
});
