/**
 * control: the JSON text messages of the viewer WebSocket (pure: the browser bundles it too).
 *
 * Server → browser:
 *   {"type":"hello","version":1,"maxSubscriptions":64,"tcpPort":8089}   once, first (tcpPort: where senders publish)
 *   {"type":"streams","streams":[StreamInfo…]}                   on every change (coalesced) and each second
 *   {"type":"error","code":"CAMWIRE_ERR_…","message":"…"}        just before the server closes the socket
 *   {"type":"error","code":"CAMWIRE_ERR_FORBIDDEN","message":"…","stream":"door"}
 *                                                                 a subscribed stream the page may not view
 *                                                                 (or needs credentials for); the socket stays
 *   {"type":"event","phase":"start","event":{StreamEvent}}        a motion event started, peaked ("update"),
 *                                                                 ended ("end") or got its clip ("clip")
 * Browser → server:
 *   {"type":"subscribe","streams":["lab","yard/cam1"],"ack":true}   the full set wanted now (replaces the last)
 *   {"type":"ack","stream":"lab"}                                   one frame of "lab" consumed (drawn or skipped)
 *
 * Flow control: with `"ack": true` the server keeps at most ACK_WINDOW unacknowledged frames per
 * stream in flight, so no socket or kernel buffer anywhere between hub and page can fill with
 * stale frames; a page that decodes slowly is sent fewer frames instead of older ones. Without
 * it (simple scripts) only the server's own send buffer is watched.
 *
 * Frames themselves travel as binary messages (frame-message.ts). A browser message that is not
 * valid JSON, not an object, of an unknown type, over MAX_CONTROL_MESSAGE_BYTES, with more than
 * MAX_SUBSCRIPTIONS names or with a bad name closes that one socket (close code 1008).
 */
import { isValidStreamName, type Codec } from '../../frame/frame.js';
import { createError } from '../../util/errors.js';
import type { EventPhase, StreamEvent } from '../../hub/event.js';

/** WS_PROTOCOL_VERSION is announced in hello; a browser that does not know it reloads. */
export const WS_PROTOCOL_VERSION = 1;
/** MAX_SUBSCRIPTIONS: 64 tiles is past what a screen shows usefully; each costs a hub reader. */
export const MAX_SUBSCRIPTIONS = 64;
/**
 * ACK_WINDOW: frames per stream in flight to an acknowledging page. Two keep a fast page busy
 * (one decoding, one arriving); every further one only adds a frame of latency.
 */
export const ACK_WINDOW = 2;
/** MAX_CONTROL_MESSAGE_BYTES: 64 names of 64 characters plus JSON punctuation fit in 8 KiB. */
export const MAX_CONTROL_MESSAGE_BYTES = 8 * 1024;
/** WS_POLICY_CLOSE is the close code for a browser that broke the protocol (RFC 6455 1008). */
export const WS_POLICY_CLOSE = 1008;

/** StreamInfo describes one hub stream to the browser. */
export interface StreamInfo {
  name: string;
  /** live: a publisher is attached (false: it left or stalled; the tile shows "no signal"). */
  live: boolean;
  codec: Codec | null;
  width: number;
  height: number;
  fps: number;
  /** bitrate in bits per second, as the hub receives it. */
  bitrate: number;
  /** viewers: hub readers of this stream (all transports). */
  viewers: number;
  /** lastFrameAgeMs: how long ago the newest frame arrived; null before the first. */
  lastFrameAgeMs: number | null;
}

/** ServerMessage is any JSON message the server sends. */
export type ServerMessage =
  | { type: 'hello'; version: number; maxSubscriptions: number; tcpPort?: number }
  | { type: 'streams'; streams: StreamInfo[] }
  | { type: 'error'; code: string; message: string; stream?: string }
  | { type: 'event'; phase: EventPhase; event: StreamEvent };

/** ClientMessage is any JSON message a browser may send. */
export type ClientMessage = { type: 'subscribe'; streams: string[]; ack: boolean } | { type: 'ack'; stream: string };

/** parseClientMessage validates one text message from a browser; throws a typed error. */
export function parseClientMessage(text: string): ClientMessage {
  // Length in UTF-16 units ≤ bytes, so this never lets an oversized message through.
  if (text.length > MAX_CONTROL_MESSAGE_BYTES) throw createError('CAMWIRE_ERR_MESSAGE_TOO_LARGE', `control message over ${MAX_CONTROL_MESSAGE_BYTES} bytes`);
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'control message is not JSON');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'control message must be a JSON object');
  const o = m as Record<string, unknown>;
  if (o.type === 'ack') return { type: 'ack', stream: streamName(o.stream) };
  if (o.type !== 'subscribe') throw createError('CAMWIRE_ERR_UNKNOWN_MESSAGE', `unknown control message type ${JSON.stringify(o.type)?.slice(0, 40)}`);
  const streams = o.streams;
  if (!Array.isArray(streams)) throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'subscribe needs "streams": an array of names');
  if (streams.length > MAX_SUBSCRIPTIONS) throw createError('CAMWIRE_ERR_TOO_MANY_SUBSCRIPTIONS', `subscribe lists ${streams.length} streams; at most ${MAX_SUBSCRIPTIONS}`);
  if (o.ack !== undefined && typeof o.ack !== 'boolean') throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', '"ack" must be true or false');
  return { type: 'subscribe', streams: [...new Set(streams.map(streamName))], ack: o.ack === true };
}

function streamName(s: unknown): string {
  if (typeof s !== 'string' || !isValidStreamName(s)) throw createError('CAMWIRE_ERR_BAD_STREAM_NAME', `bad stream name ${JSON.stringify(s)?.slice(0, 80)}`);
  return s;
}

/** parseServerMessage reads one text message from the server (the browser's side). */
export function parseServerMessage(text: string): ServerMessage {
  const m = JSON.parse(text) as ServerMessage;
  if (typeof m !== 'object' || m === null || typeof m.type !== 'string') throw createError('CAMWIRE_ERR_MALFORMED_MESSAGE', 'server message is not a typed object');
  return m;
}
