import type { Command, FrameIO, Program } from './command.js';
import { ExitCode, exitCodeFor, UsageError } from './exit-codes.js';

const HELP_FLAGS = new Set(['--help', '-h']);

/** What a command line asks for once its command words are read. */
type Request<IO extends FrameIO> =
  | { kind: 'overview'; group?: string; asked: boolean }
  | { kind: 'help'; name: string }
  | { kind: 'command'; name: string; args: string[]; load: () => Promise<Command<IO>> };

/**
 * Runs one command line of `program` and returns its exit code; never throws. The conventions
 * every program shares live here: no arguments prints the overview on stderr (exit 2), `--help`
 * on stdout (exit 0); unknown commands and flags are one line on stderr (exit 2); a failure is
 * one line on stderr, with its stack under GODWIT_DEBUG=1, and its exit code from the program's
 * table; with --json, stdout carries at most one JSON value.
 */
export async function runProgram<IO extends FrameIO>(program: Program<IO>, argv: readonly string[], io: IO): Promise<number> {
  // Not performance.now(): on Node 20 its first use loads perf_hooks, a cost every agent boot would pay.
  const started = Date.now();
  let command: Command<IO> | undefined;
  let stdout: WatchedStream | undefined;
  try {
    const request = readRequest(program, argv);
    // Help and parsing are loaded by the paths that need them: the agent's every boot loads one, not both.
    if (request.kind === 'overview') {
      const { overview } = await import('./help.js');
      (request.asked ? io.stdout : io.stderr).write(overview(program, request.group));
      return request.asked ? ExitCode.ok : ExitCode.usage;
    }
    if (request.kind === 'help') {
      const { commandHelp } = await import('./help.js');
      io.stdout.write(commandHelp(program, request.name, await program.commands[request.name]!.load()));
      return ExitCode.ok;
    }
    command = await request.load();
    if (command.jsonError !== undefined && request.args.includes('--json')) stdout = watchWrites(io.stdout);
    const { parseCommandLine } = await import('./parse.js');
    const args = parseCommandLine(program, request.name, command, request.args);
    if (args.values.help === true) {
      const { commandHelp } = await import('./help.js');
      io.stdout.write(commandHelp(program, request.name, command));
      return ExitCode.ok;
    }
    return await command.run(args, stdout === undefined ? io : { ...io, stdout: stdout.stream });
  } catch (error) {
    if (stdout !== undefined && !stdout.written()) io.stdout.write(command!.jsonError!(error, Date.now() - started));
    io.stderr.write(`${program.name}: ${(program.describeError ?? firstLine)(error)}\n`);
    if (io.env.GODWIT_DEBUG === '1' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCodeFor(program.exitCodes, error);
  }
}

function readRequest<IO extends FrameIO>(program: Program<IO>, argv: readonly string[]): Request<IO> {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'overview', asked: false };
  if (HELP_FLAGS.has(first)) return { kind: 'overview', asked: true };
  if (first === 'help') return readHelpRequest(program, rest);
  const groups = groupsOf(program);
  if (groups.has(first)) {
    const [second, ...args] = rest;
    if (second === undefined) return { kind: 'overview', group: first, asked: false };
    if (HELP_FLAGS.has(second)) return { kind: 'overview', group: first, asked: true };
    return { kind: 'command', name: `${first} ${second}`, args, load: loaderOf(program, `${first} ${second}`) };
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}' (see '${program.name} --help')`);
  return { kind: 'command', name: first, args: rest, load: loaderOf(program, first) };
}

/** `help`, `help COMMAND`, `help GROUP`, `help GROUP COMMAND`. */
function readHelpRequest<IO extends FrameIO>(program: Program<IO>, words: string[]): Request<IO> {
  if (words.length === 0) return { kind: 'overview', asked: true };
  const name = words.join(' ');
  if (words.length === 1 && groupsOf(program).has(name)) return { kind: 'overview', group: name, asked: true };
  loaderOf(program, name);
  return { kind: 'help', name };
}

function loaderOf<IO extends FrameIO>(program: Program<IO>, name: string): () => Promise<Command<IO>> {
  const entry = Object.hasOwn(program.commands, name) ? program.commands[name] : undefined;
  if (entry === undefined) throw new UsageError(`unknown command '${name}' (see '${program.name} --help')`);
  return () => entry.load();
}

/** The groups of a table: `rollout` for `rollout pause`. */
function groupsOf<IO extends FrameIO>(program: Program<IO>): Set<string> {
  return new Set(Object.keys(program.commands).filter((name) => name.includes(' ')).map((name) => name.split(' ')[0]!));
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

interface WatchedStream {
  stream: NodeJS.WritableStream;
  written(): boolean;
}

/** The same stream, noting whether the command printed anything: then its --json value is out. */
function watchWrites(stream: NodeJS.WritableStream): WatchedStream {
  let written = false;
  const watched = new Proxy(stream, {
    get(target, property) {
      if (property === 'write') {
        return (...args: Parameters<NodeJS.WritableStream['write']>) => {
          written = true;
          return (target.write as (...a: typeof args) => boolean)(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { stream: watched, written: () => written };
}
