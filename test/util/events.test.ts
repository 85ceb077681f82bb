import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypedEmitter } from '../../src/util/events.js';

type Events = { tick: (n: number, label: string) => void; done: () => void };

class Ticker extends TypedEmitter<Events> {
  fire(n: number): void {
    this.emit('tick', n, `#${n}`);
  }
  finish(): void {
    this.emit('done');
  }
}

test('listeners get the emitted arguments synchronously, in the order they were added', () => {
  const t = new Ticker();
  const got: string[] = [];
  t.on('tick', (n, label) => got.push(`a${n}${label}`)).on('tick', (n) => got.push(`b${n}`));
  t.fire(1);
  got.push('after');
  assert.deepEqual(got, ['a1#1', 'b1', 'after']);
});

test('once fires a single time; off removes a listener', () => {
  const t = new Ticker();
  let once = 0;
  let on = 0;
  const fn = () => on++;
  t.once('done', () => once++).on('done', fn);
  t.finish();
  t.off('done', fn);
  t.finish();
  assert.deepEqual([once, on], [1, 1]);
});

test('an event without listeners is a no-op, not an error', () => {
  assert.doesNotThrow(() => new Ticker().fire(3));
});
