import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../../src/hub/hub.js';
import { collectMetrics, renderFamilies } from '../../../src/transports/http/metrics.js';
import { fakeFrame } from '../../helpers/frames.js';
import { parsePrometheus } from '../../helpers/prometheus.js';

describe('metrics', () => {
  it('renders escaped labels, special values and one trailing newline', () => {
    const text = renderFamilies([
      { name: 'x_total', help: 'a\\b\nc', type: 'counter', samples: [{ labels: { stream: 'q"u\\o\nte' }, value: 1 }, { value: NaN }, { suffix: '_max', value: Infinity }] },
    ]);
    assert.equal(text, '# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\nx_total{stream="q\\"u\\\\o\\nte"} 1\nx_total NaN\nx_total_max +Inf\n');
  });

  it('collects per-stream counters and a cumulative latency histogram a strict parser accepts', async () => {
    const hub = new Hub();
    const pub = hub.publish('a/b');
    for (let i = 0; i < 3; i++) pub.publish(fakeFrame(i, { stream: 'a/b' }));
    const families = parsePrometheus(renderFamilies(collectMetrics(hub, { http: 2, ws: 1 }, new Map([[404, 3], [200, 9]]))));
    assert.equal(families.get('camwire_stream_frames_total')!.samples[0].value, 3);
    const buckets = families.get('camwire_stream_latency_seconds')!.samples.filter((s) => s.labels.le !== undefined).map((s) => s.value);
    assert.deepEqual([...buckets].sort((x, y) => x - y), buckets, 'buckets are cumulative');
    assert.equal(buckets.at(-1), 3, '+Inf holds every frame');
    assert.deepEqual(families.get('camwire_http_responses_total')!.samples.map((s) => [s.labels.code, s.value]), [['200', 9], ['404', 3]]);
    assert.deepEqual(families.get('camwire_connections')!.samples.map((s) => [s.labels.transport, s.value]), [['http', 2], ['ws', 1]]);
    await hub.close();
  });
});
