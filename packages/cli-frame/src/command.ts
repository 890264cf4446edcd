import type { ParseArgsConfig } from 'node:util';
import type { ExitCodeTable } from './exit-codes.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/** What every program's commands write to and read from; programs add their own fields. */
export interface FrameIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

/** One command: the frame parses its options strictly with node:util parseArgs, then calls `run`. */
export interface Command<IO extends FrameIO = FrameIO> {
  /**
   * Usage lines without the program name (`verify FILE --trust PUBFILE [--json]`); lines that start
   * with a space continue the one above. After a blank line, free text shown under the summary.
   */
  usage: string;
  options: OptionSpec;
  /** The positional arguments in order, as usage names them; `[NAME]` is optional. */
  positionals: readonly string[];
  run(args: ParsedArgs, io: IO): Promise<number>;
  /**
   * With --json, the one JSON value (with its newline) to print when the command fails before it
   * printed anything: the contract promises one for some commands (edge-agent upgrade).
   */
  jsonError?(error: unknown, durationMs: number): string;
}

/** A line of a program's command table: the summary is here so `--help` loads no command. */
export interface CommandEntry<IO extends FrameIO = FrameIO> {
  summary: string;
  load(): Promise<Command<IO>>;
}

/** Names as typed: `verify`, or `rollout pause` for a group's subcommand. */
export type CommandTable<IO extends FrameIO = FrameIO> = Readonly<Record<string, CommandEntry<IO>>>;

export interface Program<IO extends FrameIO = FrameIO> {
  name: string;
  commands: CommandTable<IO>;
  exitCodes: ExitCodeTable;
  /** Text after the command list of `PROGRAM --help`. */
  notes?: string;
  /** What stderr says about a failure after `PROGRAM: `; by default the first line of its message. */
  describeError?(error: unknown): string;
  /** Arguments that are positionals although they start with `-`, such as edge-agent's `-N` targets. */
  dashedPositional?: RegExp;
}
