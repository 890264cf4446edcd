import { loadRevisionGraph } from '../../graph/load.js';
import type { Command } from '../command.js';
import { migrationsDir } from '../migrations-dir.js';

export const historyCommand: Command = {
  usage: 'history [--dir DIR] [--json]',
  options: {
    dir: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [],
  async run(args, io) {
    const { graph, revisions } = await loadRevisionGraph(migrationsDir(args, io));
    const entries = revisions.reverse().map(({ id, parents, message, file }) => {
      const children = graph.node(id).children.length;
      return { id, parents, message, file, head: children === 0, merge: parents.length > 1, branchpoint: children > 1, base: parents.length === 0 };
    });
    if (args.values.json === true) {
      io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return 0;
    }
    // Alembic's layout: `parents -> id (marks), message`.
    for (const entry of entries) {
      const marks = [entry.head && ' (head)', entry.merge && ' (mergepoint)', entry.branchpoint && ' (branchpoint)'].filter(Boolean).join('');
      io.stdout.write(`${entry.base ? '<base>' : entry.parents.join(', ')} -> ${entry.id}${marks}, ${entry.message}\n`);
    }
    return 0;
  },
};
