/**
 * handler-server: one HTTP handler under test on a real node:http server on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isCamwireError } from '../../src/util/errors.js';

/** TYPED_ERROR_STATUS: what a handler's thrown error is answered with (its code is the body). */
export const TYPED_ERROR_STATUS = 599;

/** HandlerServer is a running server: `base` is http://127.0.0.1:PORT. */
export interface HandlerServer {
  server: Server;
  base: string;
  close(): Promise<void>;
}

/** handlerServer serves `handle`; a throw is answered with TYPED_ERROR_STATUS and the error code, so tests see typed errors. */
export async function handlerServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<HandlerServer> {
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      res.writeHead(TYPED_ERROR_STATUS).end(isCamwireError(e) ? e.code : String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
