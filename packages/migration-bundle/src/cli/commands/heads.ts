import { loadRevisionGraph } from '../../graph/load.js';
import type { Command } from '../command.js';
import { migrationsDir } from '../migrations-dir.js';

export const headsCommand: Command = {
  usage: 'heads [--dir DIR] [--json]',
  options: {
    dir: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [],
  async run(args, io) {
    const { graph, revisions } = await loadRevisionGraph(migrationsDir(args, io));
    const heads = new Set(graph.heads());
    const listed = revisions.filter((revision) => heads.has(revision.id));
    if (args.values.json === true) {
      const json = listed.map(({ id, parents, message, file }) => ({ id, parents, message, file }));
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      for (const { id, message } of listed) io.stdout.write(`${id} (head) ${message}\n`);
    }
    return 0;
  },
};
