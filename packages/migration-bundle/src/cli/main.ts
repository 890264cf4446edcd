import { parseArgs } from 'node:util';
import type { Command, CommandIO, ParsedArgs } from './command.js';
import { UsageError } from './command.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

const PROGRAM = 'mbundle';

// Loaded on demand so that, say, `mbundle verify` on a device never loads better-sqlite3 or tsx.
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = Object.freeze({
  keygen: async () => (await import('./commands/keygen.js')).keygenCommand,
  revision: async () => (await import('./commands/revision.js')).revisionCommand,
  merge: async () => (await import('./commands/merge.js')).mergeCommand,
  heads: async () => (await import('./commands/heads.js')).headsCommand,
  history: async () => (await import('./commands/history.js')).historyCommand,
  check: async () => (await import('./commands/check.js')).checkCommand,
  build: async () => (await import('./commands/build.js')).buildCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  inspect: async () => (await import('./commands/inspect.js')).inspectCommand,
  sql: async () => (await import('./commands/sql.js')).sqlCommand,
});

export interface MainIO extends CommandIO {
  env: Record<string, string | undefined>;
}

/**
 * Runs `mbundle` with `argv` (without the node and script paths) and returns its exit code. Tests
 * pass `io` to capture output and set the working directory.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[], io: Partial<MainIO> = {}): Promise<number> {
  const full: MainIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
  };
  try {
    return await dispatch(argv, full);
  } catch (error) {
    return report(error, full);
  }
}

async function dispatch(argv: string[], io: MainIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(await overview());
    return ExitCode.usage;
  }
  if (name === '--help' || name === '-h') {
    io.stdout.write(await overview());
    return ExitCode.ok;
  }
  if (name === 'help') {
    if (rest.length > 1) throw new UsageError(`help takes one command name, not ${rest.length}`);
    io.stdout.write(rest[0] === undefined ? await overview() : usageOf(await load(rest[0])));
    return ExitCode.ok;
  }
  const command = await load(name);
  const args = parse(command, rest);
  if (args.values.help === true) {
    io.stdout.write(usageOf(command));
    return ExitCode.ok;
  }
  return command.run(args, io);
}

async function load(name: string): Promise<Command> {
  const loader = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (loader === undefined) throw new UsageError(`unknown command '${name}' (see '${PROGRAM} --help')`);
  return loader();
}

function parse(command: Command, args: string[]): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message} (see '${PROGRAM} ${command.name} --help')`);
  }
  if (parsed.values.help !== true && parsed.positionals.length > command.maxPositionals) {
    const extra = parsed.positionals[command.maxPositionals];
    throw new UsageError(`${command.name}: unexpected argument '${extra}' (see '${PROGRAM} ${command.name} --help')`);
  }
  return parsed;
}

function usageOf(command: Command): string {
  const lines = command.usage.split('\n').map((line, i) => `${i === 0 ? 'usage:' : '      '} ${PROGRAM} ${line}`);
  return `${lines.join('\n')}\n\n${command.summary}\n`;
}

async function overview(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((loader) => loader()));
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `usage: ${PROGRAM} COMMAND [ARGS]\n\nCommands:\n${list}\n\nRun '${PROGRAM} help COMMAND' for a command's arguments.\n`;
}

function report(error: unknown, io: MainIO): number {
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${PROGRAM}: ${message.split('\n')[0]}\n`);
  if (io.env.GODWIT_DEBUG === '1' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return exitCodeFor(error);
}
