/**
 * docs/architecture.md stays true: every folder and file of src/ is named in its layout table,
 * and every src/ file has a test of the same name or is listed, with a reason, under
 * "Covered elsewhere".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ROOT is the repository: the nearest folder above this file holding package.json (dist/ or not). */
const ROOT = (function find(dir: string): string {
  return existsSync(join(dir, 'package.json')) ? dir : find(dirname(dir));
})(dirname(fileURLToPath(import.meta.url)));
const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');

/** sourceFiles lists src/ recursively as repo-relative paths ('src/hub/hub.ts'). */
function sourceFiles(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [relative(ROOT, p)] : [];
  });
}

/** tableRows maps a layout-table row's first cell (`src/hub/`) to its text. */
function tableRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `([^`]+)` \| (.*) \|$/gm)) rows.set(m[1], m[2]);
  return rows;
}

/** coveredElsewhere maps each file listed under "## Covered elsewhere" to its reason. */
function coveredElsewhere(): Map<string, string> {
  const section = doc.split(/^## Covered elsewhere$/m)[1]?.split(/^## /m)[0] ?? '';
  const out = new Map<string, string>();
  for (const line of section.split('\n').filter((l) => l.startsWith('- '))) {
    const [files, reason = ''] = line.slice(2).split(' — ');
    for (const m of files.matchAll(/`(src\/[^`]+)`/g)) out.set(m[1], reason.trim());
  }
  return out;
}

const testOf = (file: string) => file.replace(/^src\//, 'test/').replace(/\.ts$/, '.test.ts');

test('every src/ folder has a row in the layout table and every file is named in its folder\'s row', () => {
  const rows = tableRows();
  const missing: string[] = [];
  for (const file of sourceFiles()) {
    const dir = file.slice(0, file.lastIndexOf('/') + 1);
    const name = file.slice(dir.length);
    if (dir === 'src/') {
      if (!rows.has(file)) missing.push(`${file} (a row of its own)`);
      continue;
    }
    const row = rows.get(dir);
    if (row === undefined) missing.push(`${dir} (no row)`);
    else if (!row.includes(`\`${name}\``)) missing.push(`${file} (not in the ${dir} row)`);
  }
  assert.deepEqual([...new Set(missing)], [], 'add these to docs/architecture.md');
});

test('every folder under src/ is named in the doc, and every row names a folder that exists', () => {
  const dirs = new Set(sourceFiles().map((f) => f.split('/').slice(0, -1)).flatMap((parts) => parts.map((_, i) => parts.slice(0, i + 1).join('/') + '/')));
  for (const d of dirs) if (d !== 'src/') assert.ok(doc.includes(`\`${d}`), `docs/architecture.md names ${d}`);
  for (const first of tableRows().keys()) if (first.startsWith('src/')) assert.ok(existsSync(join(ROOT, first)), `${first} in the layout table exists`);
});

test('every src/ file has its own test (test/X/Y.test.ts) or is listed under "Covered elsewhere" with a reason', () => {
  const listed = coveredElsewhere();
  const problems: string[] = [];
  for (const file of sourceFiles()) {
    const own = existsSync(join(ROOT, testOf(file)));
    if (!own && !listed.has(file)) problems.push(`${file}: no ${testOf(file)} and not listed`);
    if (own && listed.has(file)) problems.push(`${file}: has ${testOf(file)}, remove it from "Covered elsewhere"`);
  }
  for (const [file, reason] of listed) {
    if (!existsSync(join(ROOT, file))) problems.push(`${file}: listed but does not exist`);
    if (reason.length < 10) problems.push(`${file}: the reason "${reason}" says nothing`);
    for (const m of reason.matchAll(/`(test\/[^`]*?)`/g)) if (!existsSync(join(ROOT, m[1]))) problems.push(`${file}: ${m[1]} named in its reason does not exist`);
  }
  assert.deepEqual(problems, []);
});
