/**
 * tools: finds external programs tests need. Under CI=true a missing tool is a failure, never
 * a silent skip; locally the test is skipped with the reason.
 */
import { hasTool } from '../../support/tools.js';
import type { TestContext } from 'node:test';

/** hasTool tells whether `cmd -version` (or --version) runs (support/tools, shared with bench/). */
export { hasTool };

/** requireTool returns true if `cmd` exists; otherwise fails under CI and skips elsewhere. */
export function requireTool(t: TestContext, cmd: string): boolean {
  if (hasTool(cmd)) return true;
  if (process.env.CI === 'true') throw new Error(`${cmd} is required under CI=true but was not found (.ci/run installs it)`);
  t.skip(`${cmd} not installed`);
  return false;
}

/**
 * requireLinux returns true on Linux; elsewhere it fails under CI=true (CI runs Linux, so a
 * green CI never hides a skipped check) and skips with `why` otherwise.
 */
export function requireLinux(t: TestContext, why: string): boolean {
  if (process.platform === 'linux') return true;
  if (process.env.CI === 'true') throw new Error(`this test needs Linux (${why}) and CI=true does not allow skipping it on ${process.platform}`);
  t.skip(`needs Linux: ${why}`);
  return false;
}
