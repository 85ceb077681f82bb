/**
 * hub-peer: one address the UDP hub serves — a subscriber (hub Reader → paced FrameSender) or a
 * publisher (FrameReceiver → hub Publisher). server.ts creates, refreshes and forgets them.
 */
import type { RemoteInfo } from 'node:dgram';
import type { Frame } from '../../frame/frame.js';
import type { Reader } from '../../hub/reader.js';
import type { Publisher } from '../../hub/stream.js';
import { encodeWelcome, type Hello, type UdpRole } from './control.js';
import { peerKey, type UdpEndpoint } from './endpoint.js';
import { FrameReceiver } from './frame-receiver.js';
import { FrameSender, randomStreamId, sendStream } from './frame-sender.js';
import type { UdpOptions } from './options.js';

/** HubPeer is what both kinds of peer share: identity, refresh time, WELCOME. */
export abstract class HubPeer {
  abstract readonly role: UdpRole;
  abstract readonly streamId: number;
  readonly key: string;
  /** lastSeen: when the peer's latest HELLO arrived (ms, wall clock). */
  lastSeen = Date.now();

  constructor(
    private readonly hello: Hello,
    /** stream: the hub stream name it publishes or views. */
    readonly stream: string,
    protected readonly endpoint: UdpEndpoint,
    protected readonly from: RemoteInfo,
    protected readonly opts: UdpOptions,
  ) {
    this.key = peerKey(from);
  }

  /** matches tells whether a HELLO just refreshes this peer (same role, stream and stream id). */
  matches(h: Hello): boolean {
    return h.role === this.hello.role && h.stream === this.hello.stream && h.streamId === this.hello.streamId;
  }

  /** welcome encodes the WELCOME this peer gets for each HELLO. */
  welcome(): Buffer {
    return encodeWelcome({ stream: this.stream, streamId: this.streamId, refreshMs: this.opts.refreshMs });
  }

  /** close releases the peer's hub reader or publisher slot. */
  abstract close(): void;

  protected send(b: Buffer | readonly Buffer[]): void {
    this.endpoint.send(b, this.from.port, this.from.address);
  }
}

/** ViewPeer is a subscriber: its own Reader, its own paced sender, NACKs answered. */
export class ViewPeer extends HubPeer {
  readonly role = 'view';
  readonly streamId = randomStreamId();
  readonly sender: FrameSender;

  constructor(hello: Hello, stream: string, private readonly reader: Reader, endpoint: UdpEndpoint, from: RemoteInfo, opts: UdpOptions) {
    super(hello, stream, endpoint, from, opts);
    this.sender = new FrameSender(this.streamId, (parts) => this.send(parts), { ...opts, retransmit: opts.nack });
  }

  /** pump sends frames (newest wins) until the reader ends; if the stream ended (not a close), tells the viewer. */
  async pump(): Promise<void> {
    await sendStream(this.reader, this.sender, (b) => this.send(b));
  }

  close(): void {
    this.sender.close(); // first, so the pump sees a close, not an ended stream
    this.reader.close();
  }
}

/** PublishPeer is a publisher: its fragments reassembled into the hub stream, losses NACKed. */
export class PublishPeer extends HubPeer {
  readonly role = 'publish';
  readonly streamId: number;
  readonly receiver: FrameReceiver;

  constructor(hello: Hello, stream: string, private readonly pub: Publisher, endpoint: UdpEndpoint, from: RemoteInfo, opts: UdpOptions, onFrame: (f: Omit<Frame, 'stream'>) => void) {
    super(hello, stream, endpoint, from, opts);
    this.streamId = hello.streamId!;
    const nack = opts.nack ? (b: Buffer) => this.send(b) : undefined;
    this.receiver = new FrameReceiver(this.streamId, { frame: onFrame, nack }, { deadlineMs: opts.deadlineMs, maxBufferedBytes: 2 * opts.maxFrameBytes });
  }

  /** end ends the stream cleanly (the publisher sent END): its viewers finish. */
  end(): void {
    this.pub.end();
  }

  close(): void {
    this.receiver.close();
    this.pub.detach();
  }
}
