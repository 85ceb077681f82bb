import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticFiles } from '../../../src/transports/http/static.js';
import { handlerServer, TYPED_ERROR_STATUS, type HandlerServer } from '../../helpers/handler-server.js';

describe('static', () => {
  const root = mkdtempSync(join(tmpdir(), 'camwire-static-'));
  let files: StaticFiles;
  let server: HandlerServer;
  let base: string;
  before(async () => {
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(root, 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'not a viewer file');
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'deep.js'), 'x');
    symlinkSync('/etc/hostname', join(root, 'link.css'));
    files = new StaticFiles(root);
    server = await handlerServer((req, res) => files.serve(req.url!.slice(1), req.headers['if-none-match'], res));
    base = server.base;
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the files read at start with their type, a CSP and an ETag; 304 when current', async () => {
    assert.equal(files.built, true);
    const r = await fetch(`${base}/app.js`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(r.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.equal(await r.text(), 'console.log(1)');
    assert.equal((await fetch(`${base}/app.js`, { headers: { 'If-None-Match': r.headers.get('etag')! } })).status, 304);
  });

  it('serves nothing but regular viewer files directly in the root', async () => {
    writeFileSync(join(root, 'late.js'), 'added after start');
    for (const name of ['secret.txt', 'sub/deep.js', 'late.js', 'missing.js']) {
      const r = await fetch(`${base}/${name}`);
      assert.equal(r.status, TYPED_ERROR_STATUS, name);
      assert.equal(await r.text(), 'CAMWIRE_ERR_NOT_FOUND');
    }
  });

  it('reports an unbuilt viewer', () => {
    assert.equal(new StaticFiles(join(root, 'nope')).built, false);
  });
});
