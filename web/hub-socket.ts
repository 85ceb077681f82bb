/**
 * hub-socket: the page's one WebSocket to the hub. Every tile's frames arrive on it; it
 * reconnects by itself with the shared jittered backoff (src/util/backoff.ts, so a hub restart
 * is not met by every open page in the same millisecond) and re-sends the subscription after
 * each reconnect.
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
}

/** HubSocket owns the WebSocket; see the file comment. */
export class HubSocket {
  private ws: WebSocket | undefined;
  private wanted: string[] = [];
  /** The same delays as every camwire reconnect loop (reconnectInitialMs doubling to reconnectMaxMs). */
  private readonly backoff = new Backoff();
  private sentKey = '';

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

  /** ack tells the hub one frame of `stream` was consumed, making room for the next (flow control). */
  ack(stream: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'ack', stream }));
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
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
      setTimeout(() => this.open(), this.backoff.next());
    };
  }

  private control(text: string): void {
    const m = parseServerMessage(text);
    if (m.type === 'hello') this.on.hello(m);
    else if (m.type === 'streams') this.on.streams(m.streams);
    else if (m.type === 'error') console.warn(`camwire: hub closed the viewer socket: ${m.code} ${m.message}`);
  }
}
