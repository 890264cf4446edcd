import type { CommandEntry, FrameIO, Program } from './command.js';

export type { Command, CommandEntry, CommandTable, FrameIO, OptionSpec, OptionValues, ParsedArgs, Program } from './command.js';
export { ExitCode, exitCodeFor, UsageError, type ExitCodeTable } from './exit-codes.js';
export { runProgram } from './run-program.js';

/** The `completion` line of a program's command table; the generator loads only when it runs. */
export function completionEntry<IO extends FrameIO>(program: () => Program<IO>): CommandEntry<IO> {
  return {
    summary: 'Print a bash or zsh completion script.',
    load: async () => (await import('./completion.js')).completionCommand(program()),
  };
}
