/**
 * main: the `camwire` command line. Dispatches to a subcommand; any error becomes one line on
 * stderr and a non-zero exit.
 */
import { ConfigError, isCamwireError } from '../util/errors.js';
import type { Command } from './commands/command.js';
import { installSignalHandlers } from './run.js';
import { demo } from './commands/demo.js';
import { devices } from './commands/devices.js';
import { doctor } from './commands/doctor.js';
import { recordings } from './commands/recordings.js';
import { send } from './commands/send.js';
import { serve } from './commands/serve.js';
import { view } from './commands/view.js';
import { auth } from './commands/auth.js';
import { cert } from './commands/cert.js';
import { latency } from './commands/latency.js';

const COMMANDS: Command[] = [demo, serve, send, view, latency, devices, doctor, recordings, auth, cert];

function usage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: camwire COMMAND [options]',
    '',
    'Live video from cameras to people and programs.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Run "camwire COMMAND --help" for a command\'s options. Docs: docs/cli.md',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const cmd = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write((cmd ? cmd.usage : usage()) + '\n');
    return 0;
  }
  if (name === '--version') {
    process.stdout.write('camwire 0.1.0\n');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`camwire: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see "camwire --help")\n`);
    return 2;
  }
  return cmd.run(rest);
}

installSignalHandlers();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Give stdout a moment to flush, then exit even if a stray handle lingers.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (e: unknown) => {
    process.stderr.write(`camwire: ${isCamwireError(e) ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(e instanceof ConfigError ? 2 : 1); // 2: the command line itself is wrong
  },
);
