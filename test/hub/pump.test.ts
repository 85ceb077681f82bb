import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../src/hub/hub.js';
import { pumpNewest, type FrameSink } from '../../src/hub/pump.js';
import type { Frame } from '../../src/frame/frame.js';
import { fakeFrame as frame } from '../helpers/frames.js';

/** A sink that stays busy until release() is called. */
class GatedSink implements FrameSink {
  closed = false;
  written: number[] = [];
  private gate = false;
  private wake: (() => void) | undefined;
  busy() {
    return this.gate;
  }
  writable() {
    return new Promise<void>((r) => (this.wake = r));
  }
  write(f: Frame) {
    this.written.push(f.seq);
    this.gate = true;
  }
  release() {
    this.gate = false;
    this.wake?.();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

/** pumping starts a pump from a fresh stream into a GatedSink that has taken frame 1. */
async function pumping() {
  const hub = new Hub();
  const pub = hub.publish('s');
  const r = hub.read('s', { quietDrops: true });
  const sink = new GatedSink();
  const done = pumpNewest(r, sink);
  pub.publish(frame(1));
  await tick();
  return { hub, pub, r, sink, done };
}

describe('Reader.ready and pumpNewest', () => {
  it('ready() resolves when a frame waits, without taking it', async () => {
    const hub = new Hub();
    const pub = hub.publish('s');
    const r = hub.read('s');
    const ready = r.ready();
    pub.publish(frame(1));
    assert.equal(await ready, true);
    assert.equal(r.take()?.seq, 1);
    r.close();
    assert.equal(await r.ready(), false);
  });

  it('a busy sink gets the newest frame when it frees up, and skipped ones count as drops', async () => {
    const { hub, pub, r, sink, done } = await pumping();
    assert.deepEqual(sink.written, [1]);
    for (let i = 2; i <= 10; i++) pub.publish(frame(i)); // the sink is busy all along
    await tick();
    assert.deepEqual(sink.written, [1]);
    sink.release();
    await tick();
    assert.deepEqual(sink.written, [1, 10]);
    assert.equal(r.dropped, 8);
    pub.end();
    await done;
    assert.equal(hub.get('s'), undefined, 'the reader was closed and the stream forgotten');
  });

  it('stops and closes the reader when the sink closes', async () => {
    const { pub, r, sink, done } = await pumping();
    sink.closed = true;
    sink.release();
    pub.publish(frame(2));
    await done;
    assert.equal(r.closed, true);
    assert.deepEqual(sink.written, [1]);
  });

  it('counts drops of readers that left in the stream stats', async () => {
    const hub = new Hub();
    const pub = hub.publish('s');
    const r = hub.read('s', { quietDrops: true });
    for (let i = 0; i < 5; i++) pub.publish(frame(i));
    r.close();
    assert.equal(hub.get('s')!.stats().dropped, 4);
  });
});
