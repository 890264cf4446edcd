import { resolve } from 'node:path';
import { checkReversibility, type ChainProblem } from '../../compile/check-chain.js';
import { loadRevisionGraph } from '../../graph/load.js';
import { formatSchemaDiff } from '../../schema/diff.js';
import { UsageError, type Command } from '../command.js';
import { migrationsDir } from '../migrations-dir.js';

export const checkCommand: Command = {
  usage: `check [--dir DIR] [--schema FILE [--casing snake_case|camelCase]] [--json]

Exits 0 when the revision graph of DIR (default ./migrations) is valid with one head, every
revision with a down is reversible (up then down on its parent's schema gives the parent's
fingerprint back) and, with --schema, the head's schema equals the drizzle schema in FILE (its
column names as drizzle's casing gives them: --casing, else the drizzle.config.* beside FILE).
Exits 1 listing what does not hold.`,
  options: { dir: { type: 'string' }, schema: { type: 'string' }, casing: { type: 'string' }, json: { type: 'boolean' } },
  positionals: [],
  async run(args, io) {
    const { values } = args;
    if (typeof values.casing === 'string' && typeof values.schema !== 'string') throw new UsageError('check: --casing only goes with --schema');
    const dir = migrationsDir(args, io);
    const { graph, revisions } = await loadRevisionGraph(dir);
    const problems: ChainProblem[] = checkReversibility(revisions, graph);
    if (typeof values.schema === 'string') {
      const { compareSchemaFileToHead, parseCasing } = await import('../../autogenerate/index.js');
      const casing = typeof values.casing === 'string' ? parseCasing(values.casing) : undefined;
      const changes = await compareSchemaFileToHead(resolve(io.cwd, values.schema), dir, casing);
      if (changes.length) {
        problems.push({ revision: graph.heads().join(', '), problem: `head differs from ${values.schema}:\n${formatSchemaDiff(changes)}` });
      }
    }
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ok: problems.length === 0, revisions: revisions.length, problems })}\n`);
    } else if (problems.length) {
      for (const p of problems) io.stdout.write(`FAIL ${p.revision}: ${p.problem}\n`);
    } else {
      io.stdout.write(`ok: ${revisions.length} revision(s), one head, every down undoes its up\n`);
    }
    if (problems.length) throw new CheckFailed(`${problems.length} problem(s), listed above`);
    return 0;
  },
};

/** `check` found what does not hold and printed it: exit 1. */
export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
  readonly code = 'check-failed';
}
