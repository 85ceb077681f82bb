/**
 * static: the browser viewer's files (built by `npm run build` into dist/web), read into memory
 * once at start. Only files that exist there at start can be served, so no request can reach
 * anything else on disk.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { createError } from '../../util/errors.js';
import { BASE_HEADERS } from './reply.js';

/** DEFAULT_WEB_ROOT is dist/web next to the compiled sources. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

/** MAX_STATIC_BYTES: the whole viewer is ~50 KiB; a larger file in dist/web is not ours. */
const MAX_STATIC_BYTES = 4 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/**
 * CSP: the page loads only its own files, draws decoded frames from blob: URLs, plays the HLS
 * fallback (web/hls-fallback.ts) and recordings (web/mse-clip.ts) from blob: media sources and talks only to its own origin.
 */
const CSP = "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** StaticFiles serves the viewer's files from memory. */
export class StaticFiles {
  private readonly files = new Map<string, StaticFile>();

  /** load reads every regular file directly in `root` (none if it does not exist). */
  constructor(readonly root: string = DEFAULT_WEB_ROOT) {
    let names: string[] = [];
    try {
      names = readdirSync(root);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(root, name);
      const type = TYPES[extname(name)];
      const st = statSync(path);
      if (!type || !st.isFile() || st.size > MAX_STATIC_BYTES) continue;
      const body = readFileSync(path);
      this.files.set(name, { body, type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"` });
    }
  }

  /** built tells whether the viewer was built (index.html exists). */
  get built(): boolean {
    return this.files.has('index.html');
  }

  /** serve writes `name`, or 304 when the client's copy is current; throws CAMWIRE_ERR_NOT_FOUND. */
  serve(name: string, ifNoneMatch: string | undefined, res: ServerResponse): void {
    const f = this.files.get(name);
    if (!f) {
      const hint = name === 'index.html' ? ': the viewer is not built; run "npm run build"' : '';
      throw createError('CAMWIRE_ERR_NOT_FOUND', `no file ${name}${hint}`);
    }
    const headers = { ...BASE_HEADERS, 'Content-Type': f.type, ETag: f.etag, 'Cache-Control': 'no-cache', 'Content-Security-Policy': CSP };
    if (ifNoneMatch === f.etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'Content-Length': f.body.length });
    res.end(res.req.method === 'HEAD' ? undefined : f.body);
  }
}
