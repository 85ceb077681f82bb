/**
 * rights: what one viewer socket may watch. The HTTP server decided at the upgrade that the peer
 * may open the socket at all; which streams it may then subscribe to, see in the stream list and
 * hear events of is asked here per stream name, through the `ViewAccess` the server handed over
 * (the hub's Authenticator with the credential the upgrade presented).
 *
 * Answers are kept for RIGHTS_TTL_MS (the auth callback caches as long), then asked again, so a
 * right taken away (callback) ends the subscription within that time. At most MAX_NAMES answers
 * are kept per socket; past that the oldest are forgotten and asked again when needed.
 */
import type { Decision } from '../../auth/index.js';

/** ViewAccess answers "may this socket's peer view `stream`?" (server.ts builds it per upgrade). */
export type ViewAccess = (stream: string) => Promise<Decision>;

/** RIGHTS_TTL_MS: how long an answer is trusted. */
export const RIGHTS_TTL_MS = 10_000;
/** MAX_NAMES: answers kept per socket (a page shows at most 64 tiles; a hub has a few hundred streams). */
const MAX_NAMES = 1024;

interface Answer {
  decision: Decision;
  at: number;
}

/** StreamRights caches one socket's answers; see the file comment. */
export class StreamRights {
  private readonly answers = new Map<string, Answer>();
  private readonly asking = new Map<string, Promise<void>>();

  /** constructor: without `ask` every stream is allowed (an in-process WsServer with no HTTP listener in front). */
  constructor(private readonly ask?: ViewAccess) {}

  /** get returns the current answer for `stream`, or undefined when it must be asked (request). */
  get(stream: string, now = Date.now()): Decision | undefined {
    if (!this.ask) return ALLOWED;
    const a = this.answers.get(stream);
    return a && now - a.at <= RIGHTS_TTL_MS ? a.decision : undefined;
  }

  /** allows tells whether `stream` is known to be allowed now. */
  allows(stream: string): boolean {
    return this.get(stream)?.ok === true;
  }

  /** request asks for every name without a current answer; resolves when all are answered. */
  async request(names: Iterable<string>): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const n of names) if (this.get(n) === undefined) pending.push(this.askOne(n));
    await Promise.all(pending);
  }

  private askOne(stream: string): Promise<void> {
    let p = this.asking.get(stream);
    if (p) return p;
    p = this.ask!(stream)
      .catch((e): Decision => ({ ok: false, code: 'CAMWIRE_ERR_UNAUTHORIZED', message: String(e) }))
      .then((decision) => {
        this.asking.delete(stream);
        this.answers.delete(stream);
        if (this.answers.size >= MAX_NAMES) this.answers.delete(this.answers.keys().next().value!);
        this.answers.set(stream, { decision, at: Date.now() });
      });
    this.asking.set(stream, p);
    return p;
  }
}

const ALLOWED: Decision = { ok: true, user: '' };
