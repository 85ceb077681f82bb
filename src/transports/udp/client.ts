/**
 * client: the connecting side of the UDP hub — `push` publishes a local stream into a hub,
 * `pull` subscribes to a hub stream. There is no connection to lose: the client says HELLO every
 * refreshMs (answering the hub's cookie CHALLENGE), so a restarted hub or a changed network path
 * is picked up at the next refresh, and a client that stops refreshing is forgotten by the hub.
 */
import { randomBytes } from 'node:crypto';
import type { RemoteInfo } from 'node:dgram';
import type { StreamUrl } from '../../config/url.js';
import type { Frame } from '../../frame/frame.js';
import type { Reader } from '../../hub/reader.js';
import { createError, ERROR_CODES, type CamwireError, type ErrorCode } from '../../util/errors.js';
import { TypedEmitter } from '../../util/events.js';
import { createLogger } from '../../util/logger.js';
import { encodeBye, encodeHello, encodeReport, type Datagram, type Hello, type UdpRole, type Welcome } from './control.js';
import { UdpEndpoint } from './endpoint.js';
import { FrameReceiver, type FrameDelivery, type RepairSummary } from './frame-receiver.js';
import { FrameSender, randomStreamId, sendStream } from './frame-sender.js';
import { receiverOptions, type UdpOptions } from './options.js';
import { helloProof } from './proof.js';
import { resolveHost } from './socket.js';

const log = createLogger('udp');

/** FATAL: errors another HELLO cannot fix; the client stops and reports them. */
const FATAL: ReadonlySet<string> = new Set<ErrorCode>(['CAMWIRE_ERR_UNAUTHORIZED', 'CAMWIRE_ERR_BAD_STREAM_NAME']);
/** MIN_REFRESH_MS: a hub may ask for refreshes at most every 50 ms (more would be a flood) … */
export const MIN_REFRESH_MS = 50;
/** MAX_REFRESH_MS: … and at least every 60 s (less and a vanished client lingers). */
export const MAX_REFRESH_MS = 60_000;
/** SILENT_REFRESHES: after 3 refreshes without any answer the hub counts as gone (reported once). */
export const SILENT_REFRESHES = 3;

/** UdpClientState is what the client is doing now. */
export type UdpClientState = 'connecting' | 'connected' | 'retrying' | 'ended' | 'failed';

/** UdpClientWork says what a client does: publish what a hub Reader yields, or deliver a hub stream. */
export type UdpClientWork = { role: 'publish'; reader: Reader } | { role: 'view'; sink: FrameDelivery };

/**
 * UdpHubClient keeps one hub publication or subscription alive: `start()` opens the socket and
 * says HELLO, `close()` says BYE and releases socket, timers and reader; `done` settles as
 * TcpClient's does.
 */
export class UdpHubClient extends TypedEmitter<{ state: (s: UdpClientState, detail?: string) => void }> {
  readonly done: Promise<void>;
  private settle!: (err?: CamwireError) => void;
  private endpoint!: UdpEndpoint;
  private address = '';
  private cookie: string | undefined;
  private welcome: Welcome | undefined;
  /** lastHeard: when the hub last sent us anything (ms); silence is measured from here. */
  private lastHeard = Date.now();
  private silenceReported = false;
  private lastRefusal = '';
  private timer: NodeJS.Timeout | undefined;
  private refreshMs = 0;
  private finished = false;
  private sender: FrameSender | undefined;
  private receiver: FrameReceiver | undefined;
  private readonly role: UdpRole;
  /** streamId: a publisher's own id; a subscriber's is the one the hub welcomed it with. */
  private readonly ownStreamId = randomStreamId();
  /** nonce: sent in every HELLO; a CHALLENGE, WELCOME or ERROR without it is not the hub's answer (an off-path spoofer cannot know it). */
  private readonly nonce = randomBytes(12).toString('base64url');

  constructor(
    private readonly url: StreamUrl,
    private readonly opts: UdpOptions,
    private readonly work: UdpClientWork,
  ) {
    super();
    this.role = work.role;
    this.done = new Promise((resolve, reject) => (this.settle = (e) => (e ? reject(e) : resolve())));
    this.done.catch(() => {});
  }

  /**
   * start opens the socket and says HELLO; a publisher starts sending (newest frame wins) once
   * welcomed: until then frames are dropped here rather than sent to be ignored there.
   */
  async start(): Promise<void> {
    await this.open();
    if (this.work.role !== 'publish' || this.finished) return;
    const reader = this.work.reader;
    this.sender = new FrameSender(this.ownStreamId, (parts) => this.connected && this.endpoint.send(parts, this.url.port, this.address), { ...this.opts, retransmit: this.opts.nack });
    void sendStream(reader, this.sender, (b) => this.sendToHub(b)).then((ended) => (ended ? this.finish() : undefined));
  }

  /** connected tells whether the hub welcomed us and answered within the last refreshes. */
  get connected(): boolean {
    return this.welcome !== undefined && Date.now() - this.lastHeard < SILENT_REFRESHES * this.refreshMs;
  }

  /** rejections counts ignored datagrams by code (malformed, strangers, answers without our nonce). */
  get rejections(): UdpEndpoint['rejections'] {
    return this.endpoint.rejections;
  }

  /** repairs returns what `view --json` shows of a subscription's stream (undefined for a publisher or before WELCOME). */
  repairs(): RepairSummary | undefined {
    return this.receiver?.summarize();
  }

  /** close leaves the hub (BYE) and stops. Idempotent. */
  async close(): Promise<void> {
    if (!this.finished && this.welcome) this.sendToHub(encodeBye(this.streamId));
    await this.finish();
  }

  private get streamId(): number {
    return this.role === 'publish' ? this.ownStreamId : (this.welcome?.streamId ?? 0);
  }

  private async open(): Promise<void> {
    const { address, family } = await resolveHost(this.url.host);
    this.address = address;
    this.endpoint = await UdpEndpoint.open({ family, recvBufferBytes: this.opts.recvBufferBytes }, this.url.text, this.opts.maxFrameBytes, (d, from) => this.onDatagram(d, from));
    this.emit('state', 'connecting');
    this.hello();
    this.schedule(this.opts.refreshMs);
  }

  /** schedule refreshes every `ms` (the hub's WELCOME says how often it wants them). */
  private schedule(ms: number): void {
    const every = Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, ms));
    if (every === this.refreshMs) return;
    this.refreshMs = every;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh(), every);
  }

  private hello(): void {
    const h: Hello = { role: this.role, stream: this.url.stream, ...(this.role === 'publish' ? { streamId: this.ownStreamId } : {}), cookie: this.cookie, nonce: this.nonce };
    // The token never travels: with a cookie to bind it to, a proof of it does (proof.ts).
    if (this.opts.token && this.cookie) h.proof = helloProof(this.opts.token, this.cookie, h);
    this.sendToHub(encodeHello(h));
  }

  private refresh(): void {
    if (Date.now() - this.lastHeard > SILENT_REFRESHES * this.refreshMs) {
      this.welcome = undefined;
      if (!this.silenceReported) {
        this.silenceReported = true;
        log.warn(`no answer from ${this.url.text} (is "camwire serve --udp ${this.url.port}" running there?); retrying (Ctrl-C to stop)`);
        this.emit('state', 'retrying');
      }
    }
    this.hello();
    this.report();
  }

  /** report proves to the hub that we receive what it sends (server.ts): every refresh, and at the first frame. */
  private report(): void {
    const progress = this.receiver?.progress();
    if (progress && this.cookie && this.welcome) this.sendToHub(encodeReport({ streamId: this.welcome.streamId, cookie: this.cookie, ...progress }));
  }

  private heard(): void {
    this.lastHeard = Date.now();
    this.silenceReported = false;
  }

  private onDatagram(d: Datagram, from: RemoteInfo): void {
    if (from.address !== this.address || from.port !== this.url.port) return this.endpoint.ignore(from, `${d.type.toUpperCase()} from a stranger`);
    const answer = d.type === 'challenge' ? d.nonce : d.type === 'welcome' ? d.welcome.nonce : d.type === 'error' ? d.error.nonce : this.nonce;
    if (answer !== this.nonce) return this.endpoint.ignore(from, `${d.type.toUpperCase()} that does not echo our HELLO's nonce (spoofed)`);
    switch (d.type) {
      case 'challenge':
        this.heard();
        this.cookie = d.cookie;
        return this.hello();
      case 'welcome':
        return this.welcomed(d.welcome);
      case 'error':
        return this.refused(d.error.code, d.error.message);
      case 'data':
        if (this.receiver && d.fragment.header.streamId === this.receiver.streamId) {
          this.heard();
          return this.receiver.onFragment(d.fragment);
        }
        return this.endpoint.ignore(from, 'DATA for a stream id the hub did not welcome us with');
      case 'nack':
        if (this.sender && d.nack.streamId === this.sender.streamId) return this.sender.onNack(d.nack);
        return this.endpoint.ignore(from, 'NACK for another stream id');
      case 'end':
        if (this.role === 'view' && this.welcome && d.streamId === this.welcome.streamId) {
          this.deliver().end();
          void this.finish();
          return;
        }
        return this.endpoint.ignore(from, 'END for another stream id');
      default:
        return this.endpoint.ignore(from, `a hub client does not take ${d.type.toUpperCase()}`);
    }
  }

  private welcomed(w: Welcome): void {
    if (this.role === 'publish' && w.streamId !== this.ownStreamId) return;
    this.heard();
    this.schedule(w.refreshMs);
    if (this.welcome?.streamId === w.streamId) return;
    this.welcome = w;
    this.lastRefusal = '';
    if (this.role === 'view') {
      this.receiver?.close();
      const nack = this.opts.nack ? (b: Buffer) => this.sendToHub(b) : undefined;
      const sink = this.deliver();
      let first = true;
      const frame = (f: Omit<Frame, 'stream'>) => {
        sink.frame(f);
        if (first) this.report();
        first = false;
      };
      this.receiver = new FrameReceiver(w.streamId, { frame, nack }, receiverOptions(this.opts));
    }
    log.info(`connected to ${this.url.text} (${this.role === 'publish' ? 'publishing' : 'viewing'} "${w.stream}" over UDP)`);
    this.emit('state', 'connected', w.stream);
  }

  private refused(code: string, message: string): void {
    // Own keys only: a code such as "constructor" must not reach the registry's prototype.
    const known = (Object.hasOwn(ERROR_CODES, code) ? code : 'CAMWIRE_ERR_REMOTE') as ErrorCode;
    const err = createError(known, `${this.url.text}: ${message}`);
    if (FATAL.has(known)) {
      this.emit('state', 'failed', err.message);
      void this.finish(err);
      return;
    }
    // Not forgetting the WELCOME: an ERROR is unauthenticated, so a spoofed one must not stop a
    // working stream; a hub that really refuses us stops sending, and silence ends the session.
    if (err.message !== this.lastRefusal) log.warn(`${err.message}; retrying`);
    this.lastRefusal = err.message;
  }

  /** deliver is where a subscriber's frames go. */
  private deliver(): FrameDelivery {
    if (this.work.role !== 'view') throw new Error('a publishing client has no frame delivery');
    return this.work.sink;
  }

  private sendToHub(b: Buffer): void {
    this.endpoint.send(b, this.url.port, this.address);
  }

  private async finish(err?: CamwireError): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    this.sender?.close();
    if (this.work.role === 'publish') this.work.reader.close();
    this.receiver?.close();
    await this.endpoint?.close();
    if (this.receiver) log.info(`${this.url.text}: ${this.receiver.summary()}`);
    if (!err) this.emit('state', 'ended');
    this.settle(err);
  }
}
