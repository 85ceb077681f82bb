/**
 * section: the shape of one benchmark section. Each prints a markdown table; figures are quoted
 * next to a baseline measured in the same run, because this machine is shared and noisy.
 */

/** Section is one named benchmark. */
export interface Section {
  name: string;
  /** run measures and returns markdown (a heading, a table, a line of verdicts). */
  run(): Promise<string>;
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
