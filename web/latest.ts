/**
 * latest: newest-frame-wins on the page. Work (decode + draw) runs one item at a time; while one
 * is in flight only the newest waiting item is kept, so a page that falls behind skips frames
 * instead of working through a backlog. `consumed` hears of every item once, drawn or skipped
 * (the page acknowledges frames to the hub there).
 */

/** Latest runs `work` on the newest pushed item, one at a time; see the file comment. */
export class Latest<T> {
  private waiting: T | undefined;
  private busy = false;
  /** skipped counts items replaced before their turn. */
  skipped = 0;

  constructor(
    private readonly work: (item: T) => Promise<void>,
    private readonly consumed: (item: T) => void = () => {},
  ) {}

  /** push offers an item; an older waiting one is dropped. */
  push(item: T): void {
    if (this.waiting !== undefined) {
      this.skipped++;
      this.consumed(this.waiting);
    }
    this.waiting = item;
    if (!this.busy) void this.run();
  }

  private async run(): Promise<void> {
    this.busy = true;
    while (this.waiting !== undefined) {
      const item = this.waiting;
      this.waiting = undefined;
      try {
        await this.work(item);
      } catch (e) {
        console.warn('camwire: frame skipped', e);
      } finally {
        this.consumed(item);
      }
    }
    this.busy = false;
  }
}
