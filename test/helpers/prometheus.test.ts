import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheus } from './prometheus.js';

const GOOD = `# HELP a_total A counter.
# TYPE a_total counter
a_total{stream="x \\"q\\" \\\\ \\n"} 3
# TYPE h_seconds histogram
h_seconds_bucket{le="0.1"} 1
h_seconds_bucket{le="+Inf"} 2
h_seconds_sum 0.3
h_seconds_count 2
# TYPE g gauge
g NaN
`;

describe('strict Prometheus parser (test helper)', () => {
  it('parses a valid exposition, unescaping label values', () => {
    const f = parsePrometheus(GOOD);
    assert.equal(f.get('a_total')!.samples[0].labels.stream, 'x "q" \\ \n');
    assert.equal(f.get('h_seconds')!.samples.length, 4);
  });

  const BAD: [string, string][] = [
    ['no final newline', GOOD.slice(0, -1)],
    ['a bad metric name', '1abc 3\n'],
    ['a bad value', 'g 1,5\n'],
    ['an unterminated label', 'g{a="x} 1\n'],
    ['a bad escape', 'g{a="\\t"} 1\n'],
    ['a duplicate series', 'g{a="1"} 1\ng{a="1"} 2\n'],
    ['a negative counter', '# TYPE c_total counter\nc_total -1\n'],
    ['TYPE after samples', 'g 1\n# TYPE g gauge\n'],
    ['a family split in two', 'g 1\nh 1\ng{x="1"} 2\n'],
    ['a non-cumulative histogram', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf different from _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'],
  ];
  for (const [name, text] of BAD) {
    it(`rejects ${name}`, () => assert.throws(() => parsePrometheus(text)));
  }
});
