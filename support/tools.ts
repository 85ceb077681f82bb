/**
 * tools: whether an external program runs, for tests (test/helpers/tools) and benchmarks alike.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** hasTool tells whether `cmd -version` (or --version) runs. */
export function hasTool(cmd: string): boolean {
  for (const flag of ['-version', '--version', 'version']) {
    const r = spawnSync(cmd, [flag], { stdio: 'ignore' });
    if (!r.error && r.status === 0) return true;
  }
  return false;
}

/**
 * onPath tells whether `cmd` is an executable on PATH without running it — for programs whose
 * version flag starts them instead (motion treats an unknown word as a config and runs forever).
 */
export function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
