import type { ParseArgsConfig } from 'node:util';
import type { AgentError } from '../errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandIO {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  /** True when stderr is a terminal: progress bars instead of plain lines. */
  interactive: boolean;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/** One subcommand: `main` parses its options with node:util parseArgs, then calls `run`. */
export interface AgentCommand {
  /** Usage lines shown by `--help`, without the program name. */
  usage: string;
  options: OptionSpec;
  maxPositionals: number;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
  /** With --json, what to print on stdout when the command line itself is refused (upgrade's one object). */
  jsonRefusal?(error: AgentError, durationMs: number): string;
}
