/**
 * http: raw HTTP exchanges for tests that must send what no well-behaved client would.
 */
import { rawConnect } from '../../support/net.js';

/** RawResponse is the parsed head of a response plus its raw body bytes. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * rawRequest writes `text` to 127.0.0.1:port and reads one response: until its Content-Length
 * body is in, the server closes, or timeoutMs passes (then whatever arrived); status 0 when
 * nothing came back.
 */
export async function rawRequest(port: number, text: string | Buffer, timeoutMs = 3000): Promise<RawResponse> {
  const s = await rawConnect(port);
  let raw = '';
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => resolve(), timeoutMs);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    s.on('data', (d: Buffer) => {
      raw += d.toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: *(\d+)/i.exec(raw.slice(0, end));
      if (end >= 0 && len && raw.length >= end + 4 + Number(len[1])) done();
    });
    s.on('close', done);
    s.on('error', () => {});
    s.write(text);
  });
  s.destroy();
  const end = raw.indexOf('\r\n\r\n');
  const head = (end < 0 ? raw : raw.slice(0, end)).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: m ? Number(m[1]) : 0, headers, body: end < 0 ? '' : raw.slice(end + 4) };
}

/** get is a one-line request helper for the well-formed cases. */
export function get(port: number, path: string, extraHeaders = ''): Promise<RawResponse> {
  return rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extraHeaders}\r\n`);
}
