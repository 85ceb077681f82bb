/**
 * tools: whether an external program runs, for tests (test/helpers/tools) and benchmarks alike.
 */
import { spawnSync } from 'node:child_process';

/** hasTool tells whether `cmd -version` (or --version) runs. */
export function hasTool(cmd: string): boolean {
  for (const flag of ['-version', '--version', 'version']) {
    const r = spawnSync(cmd, [flag], { stdio: 'ignore' });
    if (!r.error && r.status === 0) return true;
  }
  return false;
}
