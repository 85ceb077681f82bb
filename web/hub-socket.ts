/**
 * hub-socket: the page's one WebSocket to the hub. Every tile's frames arrive on it; it
 * reconnects by itself with the shared jittered backoff (src/util/backoff.ts, so a hub restart
 * is not met by every open page in the same millisecond) and re-sends the subscription after
 * each reconnect. A socket that closes without ever opening may have been refused (401: the
 * page needs to log in); the page is told, and decides whether to stop() it.
 */
import { Backoff } from '../src/util/backoff.js';
import { decodeFrameMessage, type WsFrame } from '../src/transports/ws/frame-message.js';
import { parseServerMessage, type StreamInfo } from '../src/transports/ws/control.js';

/** HubSocketHandlers are the page's reactions to what arrives. */
export interface HubSocketHandlers {
  hello(info: { tcpPort?: number }): void;
  streams(list: StreamInfo[]): void;
  frame(f: WsFrame, bytes: number): void;
  state(connected: boolean, detail: string): void;
  /** refused: the hub will not show `stream` to this page (the socket stays open). */
  refused(stream: string, message: string): void;
  /** unopened: a connection attempt closed before it opened (hub down, or credentials refused). */
  unopened(): void;
}

/** HubSocket owns the WebSocket; see the file comment. */
export class HubSocket {
  private ws: WebSocket | undefined;
  private wanted: string[] = [];
  /** The same delays as every camwire reconnect loop (reconnectInitialMs doubling to reconnectMaxMs). */
  private readonly backoff = new Backoff();
  private sentKey = '';
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly on: HubSocketHandlers,
  ) {
    this.open();
  }

  /** subscribe asks for exactly these streams (sent only when the set changes). */
  subscribe(names: string[]): void {
    this.wanted = [...names].sort();
    this.flush();
  }

  private flush(): void {
    const key = this.wanted.join('\n');
    if (this.ws?.readyState !== WebSocket.OPEN || key === this.sentKey) return;
    this.sentKey = key;
    this.ws.send(JSON.stringify({ type: 'subscribe', streams: this.wanted, ack: true }));
  }

  /** stop closes the socket and stops reconnecting (the page shows its login form instead). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
  }

  /** restart connects again at once (after a login or logout: the new socket carries the new cookie). */
  restart(): void {
    this.stop();
    this.stopped = false;
    this.backoff.reset();
    this.open();
  }

  /** ack tells the hub one frame of `stream` was consumed, making room for the next (flow control). */
  ack(stream: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'ack', stream }));
  }

  private open(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.backoff.reset();
      this.sentKey = '';
      this.on.state(true, 'connected');
      this.flush();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') return this.control(ev.data);
      const bytes = new Uint8Array(ev.data as ArrayBuffer);
      try {
        this.on.frame(decodeFrameMessage(bytes), bytes.length);
      } catch (e) {
        console.warn('camwire: dropped a bad frame message', e);
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      const why = ev.code === 1008 ? `refused: ${ev.reason}` : 'connection lost';
      this.on.state(false, `${why} — reconnecting…`);
      this.retry = setTimeout(() => this.open(), this.backoff.next());
      if (!opened) this.on.unopened();
    };
  }

  private control(text: string): void {
    const m = parseServerMessage(text);
    if (m.type === 'hello') this.on.hello(m);
    else if (m.type === 'streams') this.on.streams(m.streams);
    else if (m.type === 'error' && m.stream !== undefined) this.on.refused(m.stream, m.message);
    else if (m.type === 'error') console.warn(`camwire: hub closed the viewer socket: ${m.code} ${m.message}`);
  }
}
