/**
 * reply: how every HTTP response camwire sends starts — JSON bodies, typed errors mapped to
 * status codes, and the headers every response carries.
 */
import type { ServerResponse } from 'node:http';
import type { CamwireError, ErrorCode } from '../../util/errors.js';

/** STATUS_OF maps error codes to HTTP status; anything unlisted is a 500. */
export const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  CAMWIRE_ERR_BAD_REQUEST: 400,
  CAMWIRE_ERR_BAD_STREAM_NAME: 400,
  CAMWIRE_ERR_UNAUTHORIZED: 401,
  CAMWIRE_ERR_FORBIDDEN: 403,
  CAMWIRE_ERR_INSECURE_AUTH: 403,
  CAMWIRE_ERR_FORBIDDEN_ORIGIN: 403,
  CAMWIRE_ERR_FORBIDDEN_HOST: 421,
  CAMWIRE_ERR_NOT_FOUND: 404,
  CAMWIRE_ERR_NO_RECORDING: 404,
  CAMWIRE_ERR_METHOD_NOT_ALLOWED: 405,
  CAMWIRE_ERR_WRONG_CODEC: 409,
  CAMWIRE_ERR_URL_TOO_LONG: 414,
  CAMWIRE_ERR_NO_FRAME_YET: 503,
  CAMWIRE_ERR_RATE_LIMITED: 429,
  CAMWIRE_ERR_TOO_MANY_CONNECTIONS: 503,
  CAMWIRE_ERR_OVERLOADED: 503,
};

/** BASE_HEADERS go on every response: no sniffing, and tokens in URLs never leak as Referer. */
export const BASE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

/** statusOf returns the HTTP status for an error code. */
export function statusOf(code: ErrorCode): number {
  return STATUS_OF[code] ?? 500;
}

/** sendJson writes a complete JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 1) + '\n';
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** sendError writes `{"error":{"code","message"}}` with the status for the error's code. */
export function sendError(res: ServerResponse, err: CamwireError): void {
  const status = statusOf(err.code);
  const headers: Record<string, string> = {};
  if (status === 405) headers.Allow = 'GET, HEAD';
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="camwire"';
  if (status === 503) headers['Retry-After'] = '1';
  sendJson(res, status, { error: { code: err.code, message: err.message } }, headers);
}
