/**
 * byte-budget: one count of bytes held, shared by every reassembler of a UDP hub, so many
 * publishers together (or many addresses pretending to be publishers) hold at most `limit`.
 */
import type { ByteBudget } from './reassembler.js';

/** SharedByteBudget counts bytes held against a limit; see the file comment. */
export class SharedByteBudget implements ByteBudget {
  /** held: bytes currently counted. */
  held = 0;

  constructor(readonly limit: number) {}

  /** free is how many bytes may still be taken. */
  get free(): number {
    return Math.max(0, this.limit - this.held);
  }

  /** take counts n bytes (negative: given back). */
  take(n: number): void {
    this.held += n;
  }
}
