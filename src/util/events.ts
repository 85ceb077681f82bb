/**
 * events: a typed EventEmitter, so a wrong event name or payload is a compile error
 * (the listener-map idea of hls.js events.ts).
 */
import { EventEmitter } from 'node:events';

/** EventMap maps event names to listener signatures. */
export type EventMap = { [event: string]: (...args: any[]) => void };

/** TypedEmitter is a node EventEmitter whose on/off/once/emit are checked against `E`. */
export class TypedEmitter<E extends EventMap> {
  private readonly ee = new EventEmitter();

  /** on adds a listener for `event`. */
  on<K extends keyof E & string>(event: K, fn: E[K]): this {
    this.ee.on(event, fn);
    return this;
  }

  /** once adds a listener removed after its first call. */
  once<K extends keyof E & string>(event: K, fn: E[K]): this {
    this.ee.once(event, fn);
    return this;
  }

  /** off removes a listener. */
  off<K extends keyof E & string>(event: K, fn: E[K]): this {
    this.ee.off(event, fn);
    return this;
  }

  /** emit calls the listeners of `event` synchronously. */
  protected emit<K extends keyof E & string>(event: K, ...args: Parameters<E[K]>): void {
    this.ee.emit(event, ...args);
  }
}
