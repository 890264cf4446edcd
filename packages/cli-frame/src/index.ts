export type { Command, CommandEntry, CommandTable, FrameIO, OptionSpec, OptionValues, ParsedArgs, Program } from './command.js';
export { ExitCode, exitCodeFor, UsageError, type ExitCodeTable } from './exit-codes.js';
export { runProgram } from './run-program.js';
