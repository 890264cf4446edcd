import { parseArgs } from 'node:util';
import type { Command, CommandIO, ParsedArgs } from './command.js';
import { UsageError } from './command.js';
import { describeFailure } from '../store/errors.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

const PROGRAM = 'coordinator';

// Loaded on demand so that client commands never load the store, PGlite or the broker.
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = Object.freeze({
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  'tenant create': async () => (await import('./commands/tenant-create.js')).tenantCreateCommand,
  'token create': async () => (await import('./commands/token.js')).tokenCreateCommand,
  'token list': async () => (await import('./commands/token.js')).tokenListCommand,
  'token revoke': async () => (await import('./commands/token.js')).tokenRevokeCommand,
  'keys add': async () => (await import('./commands/keys-add.js')).keysAddCommand,
  'device register': async () => (await import('./commands/device-register.js')).deviceRegisterCommand,
  'device show': async () => (await import('./commands/device-show.js')).deviceShowCommand,
  publish: async () => (await import('./commands/publish.js')).publishCommand,
  'bundle upload': async () => (await import('./commands/bundle-upload.js')).bundleUploadCommand,
  'rollout status': async () => (await import('./commands/rollout.js')).rolloutStatusCommand,
  'rollout pause': async () => (await import('./commands/rollout.js')).rolloutPauseCommand,
  'rollout resume': async () => (await import('./commands/rollout.js')).rolloutResumeCommand,
  'rollout widen': async () => (await import('./commands/rollout.js')).rolloutWidenCommand,
  devices: async () => (await import('./commands/devices.js')).devicesCommand,
  drift: async () => (await import('./commands/devices.js')).driftCommand,
});

const GROUPS = new Set(Object.keys(COMMANDS).filter((n) => n.includes(' ')).map((n) => n.split(' ')[0]!));

/**
 * Runs `coordinator` with `argv` (without the node and script paths) and returns its exit code.
 * Tests pass `io` to capture output and set the environment.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[], io: Partial<CommandIO> = {}): Promise<number> {
  const full: CommandIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
  };
  try {
    return await dispatch(argv, full);
  } catch (error) {
    full.stderr.write(`${PROGRAM}: ${describeFailure(error)}\n`);
    if (full.env.GODWIT_DEBUG === '1' && error instanceof Error && error.stack) full.stderr.write(`${error.stack}\n`);
    return exitCodeFor(error);
  }
}

async function dispatch(argv: string[], io: CommandIO): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout).write(await overview(first === undefined ? undefined : second));
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  let name = first;
  let args = second === undefined ? [] : [second, ...rest];
  if (GROUPS.has(first)) {
    if (second === undefined || second.startsWith('-')) {
      io[second === undefined ? 'stderr' : 'stdout'].write(await overview(first));
      return second === undefined ? ExitCode.usage : ExitCode.ok;
    }
    name = `${first} ${second}`;
    args = rest;
  }
  const loader = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!loader) throw new UsageError(`unknown command '${name}' (see '${PROGRAM} --help')`);
  const command = await loader();
  const parsed = parse(command, args);
  if (parsed.values.help === true) {
    io.stdout.write(usageOf(command));
    return ExitCode.ok;
  }
  return command.run(parsed, io);
}

function parse(command: Command, args: string[]): ParsedArgs {
  const hint = ` (see '${PROGRAM} ${command.name} --help')`;
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message.split('\n')[0]}${hint}`);
  }
  if (parsed.values.help === true) return parsed;
  const { min, max } = command.positionals;
  if (parsed.positionals.length > max) throw new UsageError(`${command.name}: unexpected argument '${parsed.positionals[max]}'${hint}`);
  if (parsed.positionals.length < min) throw new UsageError(`${command.name}: missing argument${hint}`);
  return parsed;
}

function usageOf(command: Command): string {
  return `usage: ${PROGRAM} ${command.usage}\n\n${command.summary}\n`;
}

/** Every command, or those of one group (`coordinator rollout --help`). */
async function overview(group: string | undefined): Promise<string> {
  const names = Object.keys(COMMANDS).filter((n) => !group || !GROUPS.has(group) || n.startsWith(`${group} `));
  const commands = await Promise.all(names.map((n) => COMMANDS[n]!()));
  const list = commands.map((c) => `  ${PROGRAM} ${c.usage}\n      ${c.summary}`).join('\n');
  return `usage: ${PROGRAM} COMMAND [ARGS]\n\nCommands:\n${list}\n\nClients read --server/GODWIT_SERVER (default http://127.0.0.1:8080) and --token/GODWIT_TOKEN.\nExit codes: 0 ok, 1 error, 2 usage, 3 bundle refused, 7 token refused or no such object.\n`;
}
