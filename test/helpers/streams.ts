/**
 * streams: an in-process hub with HTTP on port 0 and cheap TestSource publishers, for tests
 * that need live streams without spawning senders.
 */
import { startHub, type HubServer, type HubServerOptions } from '../../src/api/hub-server.js';
import type { Publisher } from '../../src/hub/stream.js';
import { TestSource, type TestSourceOptions } from '../../src/sources/testsrc/testsrc.js';

/** SMALL: a tiny, slow test pattern — cheap to encode, still a real moving JPEG stream. */
export const SMALL: TestSourceOptions = { width: 160, height: 120, fps: 15, quality: 60 };

/** LiveStream is one in-process publisher. */
export interface LiveStream {
  source: TestSource;
  pub: Publisher;
  /** stop ends the stream cleanly (END: readers end, the stream goes away). */
  stop(): Promise<void>;
  /** drop stops the source and lets go of the stream without ending it (a lost connection). */
  drop(): Promise<void>;
}

/** TestHub is a running hub with its base URL. */
export interface TestHub {
  server: HubServer;
  /** base is http://127.0.0.1:PORT */
  base: string;
  publish(name: string, opts?: Partial<TestSourceOptions>): Promise<LiveStream>;
  /** endAll ends every stream publish() started (between tests). */
  endAll(): Promise<void>;
  close(): Promise<void>;
}

/** startTestHub starts a hub on 127.0.0.1 with TCP and HTTP on free ports. */
export async function startTestHub(opts: HubServerOptions = {}): Promise<TestHub> {
  const server = await startHub({ tcpPort: 0, httpPort: 0, host: '127.0.0.1', ...opts });
  const live = new Set<LiveStream>();
  return {
    server,
    base: `http://127.0.0.1:${server.http!.port}`,
    async publish(name, o = {}) {
      const source = new TestSource({ ...SMALL, label: name, ...o });
      const pub = server.hub.publish(name, 'test');
      await source.start(pub);
      const s: LiveStream = {
        source,
        pub,
        async stop() {
          await source.close();
          pub.end();
        },
        async drop() {
          await source.close();
          pub.detach();
        },
      };
      live.add(s);
      return s;
    },
    async endAll() {
      for (const s of live) await s.stop();
      live.clear();
    },
    async close() {
      for (const s of live) await s.source.close();
      await server.close();
    },
  };
}
