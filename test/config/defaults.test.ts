import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../../src/config/defaults.js';

const source = readFileSync(fileURLToPath(new URL('../../../src/config/defaults.ts', import.meta.url)), 'utf8');

test('the sample config in docs/config.md equals DEFAULTS, so the docs cannot drift', () => {
  const md = readFileSync(fileURLToPath(new URL('../../../docs/config.md', import.meta.url)), 'utf8');
  const sample = /```json\n([\s\S]*?)```/.exec(md);
  assert.ok(sample, 'docs/config.md has a ```json sample');
  assert.deepEqual(JSON.parse(sample[1]), { ...DEFAULTS });
  for (const key of Object.keys(DEFAULTS)) assert.match(md, new RegExp(`\\| \`${key}\` \\|`), `docs/config.md documents ${key}`);
});

test('every default has a reason: a doc comment on its Config field', () => {
  for (const key of Object.keys(DEFAULTS)) assert.match(source, new RegExp(`/\\*\\* ${key}: .{20,}\\*/\\n\\s+${key}: `), `Config.${key} explains its default`);
});

test('DEFAULTS is frozen: no module can change another one\'s defaults', () => {
  assert.ok(Object.isFrozen(DEFAULTS));
  assert.throws(() => ((DEFAULTS as { tcpPort: number }).tcpPort = 1));
});
