/**
 * open-browser: opens a URL in the user's default browser (xdg-open, open, start).
 */
import { spawn } from 'node:child_process';

/** browserCommand is the opener for `platform`: [command, ...args before the URL]. */
export function browserCommand(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'darwin') return ['open'];
  // `start` is a cmd builtin; its first quoted argument is a window title, hence the "".
  if (platform === 'win32') return ['cmd', '/c', 'start', '""'];
  return ['xdg-open'];
}

/** OPENER_WAIT_MS: an opener that has not failed within 2 s has handed the URL to a browser. */
const OPENER_WAIT_MS = 2000;

/** openBrowser runs the opener detached; resolves false if it could not start or failed quickly. */
export function openBrowser(url: string): Promise<boolean> {
  const [cmd, ...args] = browserCommand();
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args, url], { stdio: 'ignore', detached: true, windowsVerbatimArguments: cmd === 'cmd' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
    setTimeout(() => resolve(true), OPENER_WAIT_MS).unref();
    child.unref();
  });
}
