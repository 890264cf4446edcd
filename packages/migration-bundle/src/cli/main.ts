import { completionEntry, runProgram, type CommandEntry, type Program } from '@godwit/cli-frame';
import type { Command, CommandIO } from './command.js';
import { EXIT_CODES } from './exit-codes.js';

const entry = (summary: string, load: () => Promise<Command>): CommandEntry<CommandIO> => ({ summary, load });

/** Loaded on demand so that, say, `mbundle verify` on a device never loads better-sqlite3 or tsx. */
export const MBUNDLE: Program<CommandIO> = {
  name: 'mbundle',
  commands: {
    keygen: entry('Generate an Ed25519 signing key pair: PREFIX.key (private, mode 0600) and PREFIX.pub.', async () => (await import('./commands/keygen.js')).keygenCommand),
    revision: entry(
      'Write a new revision file whose parent is the current head (or --parent), and print its path; ' +
        'with --autogenerate, fill it from the change between the head and a drizzle schema.',
      async () => (await import('./commands/revision.js')).revisionCommand,
    ),
    merge: entry('Write the merge revision whose parents are all current heads, and print its path.', async () => (await import('./commands/merge.js')).mergeCommand),
    heads: entry('List the head revisions of a migrations folder; more than one must be merged before a build.', async () => (await import('./commands/heads.js')).headsCommand),
    history: entry(
      'List every revision, newest first in canonical order, marking heads, merges, branch points and bases.',
      async () => (await import('./commands/history.js')).historyCommand,
    ),
    check: entry('CI check: one head, every down undoes its up, head equals the schema', async () => (await import('./commands/check.js')).checkCommand),
    build: entry('build and sign a bundle from a migrations folder', async () => (await import('./commands/build.js')).buildCommand),
    verify: entry("Check a bundle's signatures against trusted keys, its checksums and its expiry.", async () => (await import('./commands/verify.js')).verifyCommand),
    inspect: entry('Show what a bundle holds, without verifying it: ids, times, signing keys, revisions.', async () => (await import('./commands/inspect.js')).inspectCommand),
    sql: entry('print the exact SQL the agent would run, without a database', async () => (await import('./commands/sql.js')).sqlCommand),
    completion: completionEntry(() => MBUNDLE),
  },
  exitCodes: EXIT_CODES,
};

/**
 * Runs `mbundle` with `argv` (without the node and script paths) and returns its exit code. Tests
 * pass `io` to capture output and set the working directory.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export function main(argv: string[], io: Partial<CommandIO> = {}): Promise<number> {
  return runProgram(MBUNDLE, argv, {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
  });
}
