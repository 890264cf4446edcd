import { parseArgs } from 'node:util';
import { AgentError, usageError } from '../errors.js';
import type { AgentCommand, CommandIO } from './command.js';
import { exitCodeOf } from './exit-codes.js';

/** Summaries live here, the commands in their own modules: only the one that runs gets loaded. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: AgentCommand }> }> = {
  upgrade: { summary: 'apply a bundle\'s pending revisions to a device database', load: () => import('./commands/upgrade.js') },
  downgrade: { summary: 'revert revisions down to a target', load: () => import('./commands/downgrade.js') },
  current: { summary: 'show the revision, fingerprint and bundle sequence of a database', load: () => import('./commands/current.js') },
  history: { summary: 'list a bundle\'s revisions, marking the current one', load: () => import('./commands/history.js') },
  stamp: { summary: 'record a revision without running it, after checking the schema matches', load: () => import('./commands/stamp.js') },
  check: { summary: 'compare the live schema with what the recorded revision expects', load: () => import('./commands/check.js') },
  verify: { summary: 'check a bundle\'s signatures, checksums and expiry', load: () => import('./commands/verify.js') },
  restore: { summary: 'bring a database back from a backup', load: () => import('./commands/restore.js') },
  run: { summary: 'the device agent: apply bundles from a folder (--once) and report', load: () => import('./commands/run.js') },
};

const DEFAULT_IO: CommandIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  interactive: process.stderr.isTTY === true,
};

/** Runs one `edge-agent` command line and returns its exit code; never throws. */
export async function main(argv: readonly string[], io: CommandIO = DEFAULT_IO): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(topLevelHelp());
      return name === undefined ? 2 : 0;
    }
    const entry = COMMANDS[name];
    if (!entry) throw usageError(`unknown command "${name}"; run edge-agent --help to see the commands`);
    const { command } = await entry.load();
    let parsed;
    try {
      parsed = parseCommandLine(name, command, rest);
    } catch (error) {
      if (rest.includes('--json') && command.jsonRefusal && error instanceof AgentError) io.stdout.write(command.jsonRefusal(error, 0));
      throw error;
    }
    if (parsed.values.help === true) {
      io.stdout.write(commandHelp(name, entry.summary, command));
      return 0;
    }
    return await command.run(parsed, io);
  } catch (error) {
    io.stderr.write(errorText(error));
    return exitCodeOf(error);
  }
}

/** `-N` targets (downgrade -1) look like short options to parseArgs: they are taken out first. */
const RELATIVE_TARGET = /^-\d+$/;

function parseCommandLine(name: string, command: AgentCommand, args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: args.filter((arg) => !RELATIVE_TARGET.test(arg)),
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const first = (error as Error).message.split('. ')[0]!.replace(/\.$/, '');
    throw usageError(`${first}; see edge-agent ${name} --help`);
  }
  parsed.positionals.unshift(...args.filter((arg) => RELATIVE_TARGET.test(arg)));
  if (parsed.positionals.length > command.maxPositionals) {
    throw usageError(`unexpected argument "${parsed.positionals[command.maxPositionals]}"; see edge-agent ${name} --help`);
  }
  return parsed;
}

function errorText(error: unknown): string {
  if (error instanceof AgentError) {
    return `edge-agent: ${error.message}\n${error.details ? `${error.details.trimEnd()}\n` : ''}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `edge-agent: ${message.split('\n')[0]}; this is unexpected: please report it with the command you ran\n`;
}

function topLevelHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return [
    'usage: edge-agent COMMAND [options]',
    '',
    'commands:',
    ...lines,
    '',
    'edge-agent COMMAND --help shows the options of one command.',
    'exit codes: 0 ok, 1 other error, 2 usage, 3 bundle refused, 4 schema drift,',
    '            5 migration rolled back, 6 pre-check failed (disk space, integrity, lock)',
    '',
  ].join('\n');
}

function commandHelp(name: string, summary: string, command: AgentCommand): string {
  const usage = command.usage.trim().split('\n').map((line) => (line === '' ? '' : `  ${line.startsWith(' ') ? line : `edge-agent ${line}`}`));
  return [`edge-agent ${name}: ${summary}`, '', 'usage:', ...usage, ''].join('\n');
}
