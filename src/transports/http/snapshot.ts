/**
 * snapshot: `GET /streams/NAME.jpg` — the newest frame of a stream as one JPEG, straight from
 * the stream's last frame (no reader, no decoding, no re-encoding).
 */
import type { ServerResponse } from 'node:http';
import type { Hub } from '../../hub/hub.js';
import { createError } from '../../util/errors.js';
import { BASE_HEADERS } from './reply.js';

/**
 * serveSnapshot writes the newest JPEG of `name`. Throws CAMWIRE_ERR_NOT_FOUND (no such stream),
 * CAMWIRE_ERR_NO_FRAME_YET (nothing published yet) or CAMWIRE_ERR_WRONG_CODEC (H.264).
 */
export function serveSnapshot(hub: Hub, name: string, res: ServerResponse): void {
  const stream = hub.get(name);
  if (!stream) throw createError('CAMWIRE_ERR_NOT_FOUND', `no stream "${name}" (GET /api/streams lists them)`);
  const f = stream.last;
  if (!f) throw createError('CAMWIRE_ERR_NO_FRAME_YET', `stream "${name}" has no frame yet; retry in a moment`);
  if (f.codec !== 'mjpeg') throw createError('CAMWIRE_ERR_WRONG_CODEC', `stream "${name}" is ${f.codec}; snapshots need a JPEG stream`);
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': 'image/jpeg',
    'Content-Length': f.payload.length,
    'Cache-Control': 'no-store',
    'X-Camwire-Seq': String(f.seq),
    'X-Camwire-Capture-Us': String(f.captureUs),
    'Content-Disposition': `inline; filename="${name.replace(/\//g, '_')}-${f.seq}.jpg"`,
  });
  res.end(res.req.method === 'HEAD' ? undefined : f.payload);
}
