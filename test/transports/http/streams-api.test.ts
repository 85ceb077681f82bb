import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../../src/hub/hub.js';
import { streamSummaries } from '../../../src/transports/http/streams-api.js';
import { fakeFrame } from '../../helpers/frames.js';

describe('streams-api', () => {
  it('summarises every stream: live, viewers, rounded rates and latency percentiles', async () => {
    const hub = new Hub();
    const pub = hub.publish('lab', 'tcp 10.0.0.9:5000');
    const reader = hub.read('lab', { label: 'ws 10.0.0.20:4000' });
    for (let i = 0; i < 5; i++) pub.publish(fakeFrame(i, { stream: 'lab' }));
    hub.read('waiting'); // a viewer waiting for a stream nobody publishes yet
    const { streams } = streamSummaries(hub);
    const lab = streams.find((s) => s.name === 'lab')!;
    assert.equal(lab.live, true);
    assert.equal(lab.publisher, 'tcp 10.0.0.9:5000');
    assert.equal(lab.viewers, 1);
    assert.equal(lab.readers[0].label, 'ws 10.0.0.20:4000');
    assert.equal(lab.framesIn, 5);
    assert.equal(typeof lab.latencyP50Ms, 'number');
    assert.equal(Math.round(lab.fps * 100) / 100, lab.fps, 'fps rounded to 2 decimals');
    const waiting = streams.find((s) => s.name === 'waiting')!;
    assert.equal(waiting.live, false);
    assert.equal(waiting.latencyP50Ms, null, 'no frame, no latency');
    reader.close();
    await hub.close();
  });
});
