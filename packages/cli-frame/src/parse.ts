import { parseArgs } from 'node:util';
import type { Command, FrameIO, ParsedArgs, Program } from './command.js';
import { UsageError } from './exit-codes.js';

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses a command's arguments strictly: an unknown flag, a flag without its value, a positional
 * too many or one missing is a one-line UsageError naming it and where to look.
 */
export function parseCommandLine<IO extends FrameIO>(program: Program<IO>, name: string, command: Command<IO>, args: readonly string[]): ParsedArgs {
  const hint = ` (see '${program.name} ${name} --help')`;
  // `-1` would read as a short flag to parseArgs: taken out first, put back as a positional.
  const dashed = args.filter((arg) => program.dashedPositional?.test(arg) === true);
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args: args.filter((arg) => !dashed.includes(arg)),
      options: { ...command.options, ...HELP_OPTION },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${name}: ${firstSentence((error as Error).message)}${hint}`);
  }
  parsed.positionals.unshift(...dashed);
  if (parsed.values.help === true) return parsed;
  const max = command.positionals.length;
  const min = command.positionals.filter((p) => !p.startsWith('[')).length;
  if (parsed.positionals.length > max) throw new UsageError(`${name}: unexpected argument '${parsed.positionals[max]}'${hint}`);
  if (parsed.positionals.length < min) throw new UsageError(`${name}: missing ${command.positionals[parsed.positionals.length]}${hint}`);
  return parsed;
}

/** parseArgs explains how to pass a positional that starts with '-' in a second sentence: one line is enough. */
function firstSentence(message: string): string {
  return message.split('\n')[0]!.split('. ')[0]!.replace(/\.$/, '');
}
