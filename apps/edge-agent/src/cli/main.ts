import { completionEntry, runProgram, UsageError, type Program } from '@godwit/cli-frame';
import { AgentError } from '../errors.js';
import type { AgentCommand, CommandIO } from './command.js';
import { EXIT_CODES } from './exit-codes.js';

const load = (module: Promise<{ command: AgentCommand }>) => module.then((m) => m.command);

/** Summaries live here, the commands in their own modules: only the one that runs gets loaded. */
export const EDGE_AGENT: Program<CommandIO> = {
  name: 'edge-agent',
  commands: {
    upgrade: { summary: "apply a bundle's pending revisions to a device database", load: () => load(import('./commands/upgrade.js')) },
    downgrade: { summary: 'revert revisions down to a target', load: () => load(import('./commands/downgrade.js')) },
    current: { summary: 'show the revision, fingerprint and bundle sequence of a database', load: () => load(import('./commands/current.js')) },
    history: { summary: "list a bundle's revisions, marking the current one", load: () => load(import('./commands/history.js')) },
    stamp: { summary: 'record a revision without running it, after checking the schema matches', load: () => load(import('./commands/stamp.js')) },
    check: { summary: 'compare the live schema with what the recorded revision expects', load: () => load(import('./commands/check.js')) },
    verify: { summary: "check a bundle's signatures, checksums and expiry", load: () => load(import('./commands/verify.js')) },
    restore: { summary: 'bring a database back from a backup', load: () => load(import('./commands/restore.js')) },
    run: { summary: 'the device agent: apply bundles from a folder (--once) and report', load: () => load(import('./commands/run.js')) },
    completion: completionEntry(() => EDGE_AGENT),
  },
  exitCodes: EXIT_CODES,
  notes:
    'Exit codes: 0 ok, 1 other error, 2 usage, 3 bundle refused, 4 schema drift,\n' +
    '            5 migration rolled back, 6 pre-check failed (disk space, integrity, lock)',
  describeError,
  // `downgrade -1`
  dashedPositional: /^-\d+$/,
};

const DEFAULT_IO: CommandIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  interactive: process.stderr.isTTY === true,
};

/** Runs one `edge-agent` command line and returns its exit code; never throws. */
export function main(argv: readonly string[], io: CommandIO = DEFAULT_IO): Promise<number> {
  return runProgram(EDGE_AGENT, argv, io);
}

/** An agent error says what to do next, with its details (a diff, a plan) below; anything else is a bug. */
function describeError(error: unknown): string {
  if (error instanceof AgentError) return `${error.message}${error.details ? `\n${error.details.trimEnd()}` : ''}`;
  if (error instanceof UsageError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `${message.split('\n')[0]}; this is unexpected: please report it with the command you ran`;
}
