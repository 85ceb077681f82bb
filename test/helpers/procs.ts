/**
 * procs: child processes seen through /proc (Linux), to prove no ffmpeg outlives camwire.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** procStat returns [command name, parent pid] of a process, or undefined if it is gone. */
export function procStat(pid: number): { comm: string; ppid: number; state: string } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const rest = s.slice(close + 2).split(' ');
    return { comm: s.slice(s.indexOf('(') + 1, close), state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/** alive tells whether a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z';
}

/** childrenNamed lists the pids of `parent`'s children whose command name is `comm`. */
export function childrenNamed(parent: number, comm: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      const s = procStat(pid);
      return s?.ppid === parent && s.comm === comm;
    });
}
