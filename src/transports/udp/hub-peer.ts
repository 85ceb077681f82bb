/**
 * hub-peer: one address the UDP hub serves — a subscriber (hub Reader → paced FrameSender) or a
 * publisher (FrameReceiver → hub Publisher). server.ts creates, refreshes and forgets them.
 */
import type { RemoteInfo } from 'node:dgram';
import type { Frame } from '../../frame/frame.js';
import type { Reader } from '../../hub/reader.js';
import type { Publisher } from '../../hub/stream.js';
import type { PeerSlot } from '../../util/peer-limits.js';
import { serialDiff } from './assembly.js';
import { encodeWelcome, type Hello, type Report, type UdpRole } from './control.js';
import { peerKey, type UdpEndpoint } from './endpoint.js';
import { FrameReceiver } from './frame-receiver.js';
import { FrameSender, randomStreamId, sendStream } from './frame-sender.js';
import { receiverOptions, type UdpOptions } from './options.js';
import type { ByteBudget } from './reassembler.js';

/** REPORT_WINDOW_FRAMES: a REPORT may name any of the last 1024 frames sent (seconds of video, however late it left). */
export const REPORT_WINDOW_FRAMES = 1024;

/** HubPeer is what both kinds of peer share: identity, refresh time, WELCOME. */
export abstract class HubPeer {
  abstract readonly role: UdpRole;
  abstract readonly streamId: number;
  readonly key: string;
  /** slot: this peer's place in the server's PeerLimits, closed when it is dropped. */
  slot: PeerSlot | undefined;
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

  /** address and port: where the peer is. */
  get address(): string {
    return this.from.address;
  }

  /** port: see address. */
  get port(): number {
    return this.from.port;
  }

  /** matches tells whether a HELLO just refreshes this peer (same role, stream and stream id). */
  matches(h: Hello): boolean {
    return h.role === this.hello.role && h.stream === this.hello.stream && h.streamId === this.hello.streamId;
  }

  /** nonce is the nonce of the peer's HELLO (echoed in what the hub sends it unasked, e.g. an ERROR when dropped). */
  get nonce(): string | undefined {
    return this.hello.nonce;
  }

  /** welcome encodes the WELCOME this peer gets for each HELLO, echoing that HELLO's nonce. */
  welcome(nonce: string | undefined): Buffer {
    return encodeWelcome({ stream: this.stream, streamId: this.streamId, refreshMs: this.opts.refreshMs, nonce });
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

  /** provenAt: when the viewer last proved it receives (a valid REPORT), or when it owed no proof (ms, wall clock). */
  provenAt = Date.now();
  /** everProved: a REPORT was ever accepted from this viewer. */
  everProved = false;
  /** framesAtProof: frames sent when provenAt was set; no frames since means no proof owed. */
  private framesAtProof = 0;

  /** prove checks a REPORT: true (and the viewer counts as receiving) when it names a recent frame of its stream. */
  prove(r: Report): boolean {
    const behind = serialDiff(this.sender.lastFrameNo, r.newestFrameNo);
    if (r.streamId !== this.streamId || this.sender.toJSON().frames === 0 || behind < 0 || behind >= REPORT_WINDOW_FRAMES) return false;
    this.owesNothing();
    this.everProved = true;
    return true;
  }

  /** unprovenMs is how long frames have gone out without proof that the viewer receives them. */
  unprovenMs(now: number): number {
    if (this.sender.toJSON().frames === this.framesAtProof) this.owesNothing(now);
    return now - this.provenAt;
  }

  private owesNothing(now = Date.now()): void {
    this.provenAt = now;
    this.framesAtProof = this.sender.toJSON().frames;
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

  constructor(
    hello: Hello,
    stream: string,
    private readonly pub: Publisher,
    endpoint: UdpEndpoint,
    from: RemoteInfo,
    opts: UdpOptions,
    /** how frames, the shared byte budget and a CPU overload reach the server */
    io: { frame: (f: Omit<Frame, 'stream'>) => void; budget: ByteBudget; overloaded: (cpuMs: number) => void },
  ) {
    super(hello, stream, endpoint, from, opts);
    this.streamId = hello.streamId!;
    const nack = opts.nack ? (b: Buffer) => this.send(b) : undefined;
    this.receiver = new FrameReceiver(this.streamId, { frame: io.frame, nack, overloaded: io.overloaded }, receiverOptions(opts, io.budget));
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
