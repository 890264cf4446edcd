import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** One `coordinator` command; `main` parses its options with node:util parseArgs, then calls `run`. */
export interface Command {
  /** As typed: `publish`, `rollout widen`. */
  name: string;
  summary: string;
  /** Usage lines shown by `--help`, without the program name. */
  usage: string;
  options: OptionSpec;
  positionals: { min: number; max: number };
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}

/** A mistake in how a command was called: exit code 2. */
export class UsageError extends Error {
  readonly code = 'usage';
}
