import type { Command as FrameCommand, FrameIO } from '@godwit/cli-frame';

export { UsageError } from '@godwit/cli-frame';
export type { OptionSpec, ParsedArgs } from '@godwit/cli-frame';

export interface CommandIO extends FrameIO {
  cwd: string;
}

/** One `coordinator` command; the shared CLI frame parses its options, then calls `run`. */
export type Command = FrameCommand<CommandIO>;
