/**
 * section: the shape of one benchmark section. Each prints a markdown table; figures are quoted
 * next to a baseline measured in the same run, because this machine is shared and noisy.
 */
import { readFileSync } from 'node:fs';

/** Section is one named benchmark. */
export interface Section {
  name: string;
  /** run measures and returns markdown (a heading, a table, a line of verdicts), with the targets it judged. */
  run(): Promise<string | SectionResult>;
}

/**
 * TargetRow is one row of the targets table at the top of docs/benchmarks.md: every cell comes
 * from the run that produced it, and `met` is decided by code from those figures (null: the
 * row reports a figure with no target to meet).
 */
export interface TargetRow {
  target: string;
  result: string;
  baseline: string;
  met: boolean | null;
}

/** SectionResult is a section's markdown and the targets it judged. */
export interface SectionResult {
  markdown: string;
  targets: TargetRow[];
}

/** judged collects the TargetRows that sections record with judge(); run.ts takes them after each section. */
export const judged: TargetRow[] = [];

/**
 * judge records a target judged from this run's figures for the targets table and returns the
 * verdict line the section prints: `TARGET: RESULT (baseline BASELINE) — met | NOT met`.
 */
export function judge(row: TargetRow): string {
  judged.push(row);
  const verdict = row.met === null ? '' : ` — ${row.met ? 'met' : 'NOT met'}`;
  return `${row.target}: ${row.result}${row.baseline ? ` (same-run baseline: ${row.baseline})` : ''}${verdict}.`;
}

/** resultOf normalises what a section's run() returned. */
export function resultOf(r: string | SectionResult): SectionResult {
  return typeof r === 'string' ? { markdown: r, targets: [] } : r;
}

/** targetsTable renders the judged targets of a run; a row without a target says so. */
export function targetsTable(rows: TargetRow[]): string {
  const verdict = (m: boolean | null) => (m === null ? '—' : m ? 'yes' : '**no**');
  return table(['target', 'result', 'same-run baseline', 'met'], rows.map((r) => [r.target, r.result, r.baseline || '—', verdict(r.met)]));
}

/** table renders rows as a markdown table. */
export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** cpuSampler measures CPU time (user+system, ms) of this process between start and stop. */
export function cpuSampler(): () => number {
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
}

/** procCpuMs reads a child process's total CPU time (user+system) in ms from /proc. */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" that ends the command name: utime is the 12th, stime the 13th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND;
}

/** TICKS_PER_SECOND: Linux reports /proc CPU times in USER_HZ, 100 on every mainstream build. */
const TICKS_PER_SECOND = 100;

/** pct formats a ratio as a percentage with one decimal. */
export const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** ms formats milliseconds with one decimal. */
export const ms = (x: number | null | undefined): string => (x == null || Number.isNaN(x) ? '-' : x.toFixed(1));
