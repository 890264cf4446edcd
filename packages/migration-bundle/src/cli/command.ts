import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** One subcommand of a CLI: `main` parses its options with node:util parseArgs, then calls `run`. */
export interface Command {
  name: string;
  summary: string;
  /** Usage lines shown by `--help`, without the program name. */
  usage: string;
  options: OptionSpec;
  /** Largest number of positional arguments accepted. */
  maxPositionals: number;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}

/** A mistake in how a command was called: exit code 2. */
export class UsageError extends Error {
  readonly code = 'usage';
}
