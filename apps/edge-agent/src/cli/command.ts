import type { Command, FrameIO } from '@godwit/cli-frame';

export type { OptionSpec, OptionValues, ParsedArgs } from '@godwit/cli-frame';

export interface CommandIO extends FrameIO {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  /** True when stderr is a terminal: progress bars instead of plain lines. */
  interactive: boolean;
}

/** One `edge-agent` command; the shared CLI frame parses its options, then calls `run`. */
export type AgentCommand = Command<CommandIO>;
