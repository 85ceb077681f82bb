/** Command is one `camwire` subcommand: its help and its entry point (returns the exit code). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}
