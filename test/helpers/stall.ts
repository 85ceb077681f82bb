/**
 * stall: the "a client that stops reading skips frames, it never queues them" check, shared by
 * every transport that sends frames to sockets (MJPEG over HTTP, the viewer WebSocket).
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { Hub } from '../../src/hub/hub.js';
import { rawConnect, waitUntil } from '../../support/net.js';
import { renderFrames, Replay } from '../../support/replay.js';

/**
 * expectSkipsWhenStalled publishes ~100 KiB 720p frames at 30 fps into stream `name`, lets
 * `open` start a client on a raw socket to `port`, stops reading it, and asserts that once the
 * kernel's buffers are full the client's reader (label containing `label`) takes nothing more:
 * every further frame is counted as dropped.
 */
export async function expectSkipsWhenStalled(hub: Hub, port: number, name: string, label: string, open: (s: Socket) => Promise<void>): Promise<void> {
  const frames = await renderFrames({ width: 1280, height: 720, fps: 30, quality: 95 }, 4, name);
  const replay = new Replay(hub.publish(name, 'test'), frames, 30).start();
  const s = await rawConnect(port);
  try {
    await open(s);
    s.pause();
    const reader = () => hub.get(name)!.stats().readers.find((r) => r.label.includes(label));
    await waitUntil(() => (reader()?.dropped ?? 0) > 10, 15000, 'the stalled client to skip frames');
    const sent = reader()!.framesOut;
    const published = replay.published;
    await new Promise((r) => setTimeout(r, 1000));
    const r = reader()!;
    assert.ok(replay.published - published >= 20, 'the publisher kept going');
    assert.ok(r.framesOut - sent <= 1, `${r.framesOut - sent} more frames went to a client that reads nothing`);
    assert.ok(r.dropped >= replay.published - r.framesOut - 1, 'every frame not sent was counted as dropped');
  } finally {
    replay.stop();
    s.destroy();
  }
}
