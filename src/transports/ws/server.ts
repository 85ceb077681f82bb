/**
 * server: the browser viewer's WebSocket endpoint. One socket per page carries every stream the
 * page shows; the HTTP server hands upgrade requests here (after its path, Origin and credential
 * checks) with the socket's ViewAccess: each page sees, subscribes to and hears events of only
 * the streams it may view (rights.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Frame } from '../../frame/frame.js';
import type { Hub } from '../../hub/hub.js';
import type { Config } from '../../config/defaults.js';
import { createError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { MAX_CONTROL_MESSAGE_BYTES, MAX_SUBSCRIPTIONS, WS_PROTOCOL_VERSION, type StreamInfo } from './control.js';
import { encodeFrameMessage } from './frame-message.js';
import { Session } from './session.js';
import { StreamRights, type ViewAccess } from './rights.js';
import type { EventLog, EventPhase, StreamEvent } from '../../hub/event-log.js';

const log = createLogger('ws');

/** STREAM_LIST_INTERVAL_MS: pages get fresh stream stats once a second, the rate fps is read at. */
export const STREAM_LIST_INTERVAL_MS = 1000;
/** STREAM_LIST_COALESCE_MS: a burst of hub changes (16 publishers starting) becomes one update. */
const STREAM_LIST_COALESCE_MS = 100;

/** WsServerOptions: keepalive and stall timers (reasons in config/defaults); tcpPort for the page's hints; events to announce live. */
export type WsServerOptions = Pick<Config, 'keepaliveMs' | 'timeoutMs' | 'writeStallMs'> & { tcpPort?: number; events?: EventLog };

/** WsServer serves the viewer WebSocket protocol for a Hub; see the file comment. */
export class WsServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CONTROL_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  private readonly sessions = new Set<Session>();
  /** One encoded message per frame, shared by every socket that sends it. */
  private readonly encoded = new WeakMap<Frame, Uint8Array>();
  private readonly timer: NodeJS.Timeout;
  private coalesce: NodeJS.Timeout | undefined;
  private lastPing = Date.now();
  private closed = false;
  private readonly onHubChange = () => {
    this.coalesce ??= setTimeout(() => this.update(), STREAM_LIST_COALESCE_MS);
  };
  /** Every page that may view the stream hears its events as they happen (one serialisation shared by all). */
  private readonly onEvent = (event: StreamEvent, phase: EventPhase) => {
    if (this.sessions.size === 0) return;
    const text = JSON.stringify({ type: 'event', phase, event });
    for (const s of this.sessions) s.sendAbout(event.stream, text);
  };

  constructor(
    private readonly hub: Hub,
    private readonly opts: WsServerOptions,
  ) {
    hub.on('stream', this.onHubChange);
    opts.events?.on('event', this.onEvent);
    this.timer = setInterval(() => this.tick(), STREAM_LIST_INTERVAL_MS);
    this.timer.unref();
  }

  /** connections is the number of open viewer sockets. */
  get connections(): number {
    return this.sessions.size;
  }

  /** handleUpgrade completes a WebSocket handshake the HTTP server has already authorised; `view` decides each stream (default: all). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, view?: ViewAccess): void {
    if (this.closed) return void socket.destroy();
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const label = `ws ${req.socket.remoteAddress}:${req.socket.remotePort}`;
      const s = new Session(ws, this.hub, {
        label,
        encode: (f) => this.encode(f),
        onClose: (ss, err) => {
          this.sessions.delete(ss);
          if (err) log.warn(`${ss.label}: ${err.message} (${err.code})`);
        },
        rights: new StreamRights(view),
      });
      if (this.closed) return s.terminate();
      this.sessions.add(s);
      s.send({ type: 'hello', version: WS_PROTOCOL_VERSION, maxSubscriptions: MAX_SUBSCRIPTIONS, tcpPort: this.opts.tcpPort });
      const list = this.streamList();
      // The first list already shows only what the page may view (answers are usually immediate).
      void s.rights.request(list.map((st) => st.name)).then(() => s.send({ type: 'streams', streams: list.filter((st) => s.rights.allows(st.name)) }));
      log.debug(`${label} connected`);
    });
  }

  /** streamList describes every hub stream for the page. */
  streamList(): StreamInfo[] {
    return this.hub.stats().map((st) => ({
      name: st.name,
      live: st.publisher !== null,
      codec: st.codec,
      width: st.width,
      height: st.height,
      fps: Math.round(st.fps * 10) / 10,
      bitrate: Math.round(st.bitrate),
      viewers: st.readers.length,
      lastFrameAgeMs: st.lastFrameAgeMs,
    }));
  }

  /** close disconnects every page and stops the timers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.off('stream', this.onHubChange);
    this.opts.events?.off('event', this.onEvent);
    clearInterval(this.timer);
    clearTimeout(this.coalesce);
    for (const s of [...this.sessions]) s.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private encode(f: Frame): Uint8Array {
    let m = this.encoded.get(f);
    if (!m) {
      m = encodeFrameMessage(f);
      this.encoded.set(f, m);
    }
    return m;
  }

  /** update pushes the stream list and lets sessions attach to streams that appeared. */
  private update(): void {
    this.coalesce = undefined;
    if (this.closed || this.sessions.size === 0) return;
    const list = this.streamList();
    const text = JSON.stringify({ type: 'streams', streams: list });
    const names = list.map((st) => st.name);
    for (const s of this.sessions) {
      s.reconcile();
      const shown = list.filter((st) => s.rights.allows(st.name));
      // Most pages may view every stream and share one serialisation; others get their own list.
      s.sendText(shown.length === list.length ? text : JSON.stringify({ type: 'streams', streams: shown }));
      if (shown.length < list.length) void s.rights.request(names);
    }
  }

  private tick(): void {
    this.update();
    const now = Date.now();
    const ping = now - this.lastPing >= this.opts.keepaliveMs;
    if (ping) this.lastPing = now;
    for (const s of this.sessions) {
      if (now - s.lastPongAt > this.opts.timeoutMs) {
        s.terminate(createError('CAMWIRE_ERR_KEEPALIVE_TIMEOUT', `no pong for ${this.opts.timeoutMs} ms`));
      } else if (s.socketBusy() && now - s.lastFlushAt > this.opts.writeStallMs) {
        s.terminate(createError('CAMWIRE_ERR_KEEPALIVE_TIMEOUT', `read nothing for ${this.opts.writeStallMs} ms`));
      } else if (ping) {
        s.ws.ping();
      }
    }
  }
}
