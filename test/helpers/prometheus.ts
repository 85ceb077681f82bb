/**
 * prometheus: a strict parser for the Prometheus text exposition format 0.0.4, so tests fail on
 * anything a real scraper would reject or misread: bad names, bad escapes, a sample before its
 * TYPE, a family split in two, duplicate series, non-cumulative or incomplete histograms,
 * negative counters, a missing final newline.
 */

/** PromSample is one parsed sample line. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** PromFamily is one metric family: its TYPE, HELP and samples. */
export interface PromFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | undefined;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** parsePrometheus parses `text` or throws an Error naming the line and the rule it broke. */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, PromFamily>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: PromFamily | undefined;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1} "${line.slice(0, 80)}"`;
    const fail = (why: string): never => {
      throw new Error(`${where}: ${why}`);
    };
    if (line === '') return;
    const family = (name: string): PromFamily => {
      if (!METRIC_NAME.test(name)) fail(`bad metric name "${name}"`);
      let f = families.get(name);
      if (!f) {
        if (current) closed.add(current.name);
        f = { name, type: 'untyped', help: undefined, samples: [] };
        families.set(name, f);
      } else if (f !== current) fail(`family ${name} appears in two places`);
      current = f;
      return f;
    };
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // other comments are allowed
      const f = family(m[2]);
      if (m[1] === 'HELP') {
        if (f.help !== undefined) fail('second HELP');
        f.help = m[3] ?? '';
      } else {
        if (f.samples.length) fail('TYPE after samples');
        if (!TYPES.has(m[3] ?? '')) fail(`unknown type "${m[3]}"`);
        f.type = m[3] as PromFamily['type'];
      }
      return;
    }
    const s = parseSample(line, fail);
    const base = baseName(s.name, families);
    const f = families.get(base) ?? family(base);
    if (f !== current) fail(`sample of ${base} outside its family`);
    if (closed.has(base)) fail(`family ${base} reopened`);
    checkSuffix(f, s.name, fail);
    const key = s.name + JSON.stringify(Object.entries(s.labels).sort());
    if (series.has(key)) fail('duplicate series');
    series.add(key);
    if (f.type === 'counter' && !(s.value >= 0)) fail('counter must be a non-negative number');
    f.samples.push(s);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function parseSample(line: string, fail: (why: string) => never): PromSample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)(?: (-?\d+))?$/.exec(line);
  if (!m) fail('not a sample line');
  const labels: Record<string, string> = {};
  if (m![2]) {
    let rest = m![2].slice(1, -1);
    while (rest.length) {
      const lm = /^([^=]+)="((?:[^"\\]|\\[\\"n])*)"(,|$)/.exec(rest);
      if (!lm) fail(`bad label syntax at "${rest.slice(0, 40)}"`);
      if (!LABEL_NAME.test(lm![1])) fail(`bad label name "${lm![1]}"`);
      if (lm![1] in labels) fail(`label ${lm![1]} twice`);
      labels[lm![1]] = lm![2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(lm![0].length);
      if (lm![3] === ',' && rest === '') fail('trailing comma in labels');
    }
  }
  return { name: m![1], labels, value: parseValue(m![3], fail) };
}

function parseValue(v: string, fail: (why: string) => never): number {
  if (v === 'NaN') return NaN;
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) fail(`bad value "${v}"`);
  return Number(v);
}

function baseName(name: string, families: Map<string, PromFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && ['histogram', 'summary'].includes(families.get(base)?.type ?? '')) return base;
  }
  return name;
}

function checkSuffix(f: PromFamily, name: string, fail: (why: string) => never): void {
  if (f.type !== 'histogram') {
    if (name !== f.name) fail(`${name} in family ${f.name}`);
    return;
  }
  if (name === f.name) fail('a histogram has only _bucket, _sum and _count samples');
}

function checkHistogram(f: PromFamily): void {
  const groups = new Map<string, PromSample[]>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(s);
    if (s.name.endsWith('_bucket') && le === undefined) throw new Error(`${f.name}: bucket without le`);
  }
  for (const [key, samples] of groups) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket')).map((s) => ({ le: Number(s.labels.le === '+Inf' ? Infinity : s.labels.le), v: s.value }));
    const count = samples.find((s) => s.name.endsWith('_count'));
    const sum = samples.find((s) => s.name.endsWith('_sum'));
    if (!count || !sum) throw new Error(`${f.name}${key}: histogram without _sum/_count`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i].le > buckets[i - 1].le)) throw new Error(`${f.name}${key}: buckets not in increasing le order`);
      if (buckets[i].v < buckets[i - 1].v) throw new Error(`${f.name}${key}: buckets not cumulative`);
    }
    const inf = buckets[buckets.length - 1];
    if (!inf || inf.le !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    if (inf.v !== count.value) throw new Error(`${f.name}${key}: +Inf bucket ${inf.v} != _count ${count.value}`);
  }
}
