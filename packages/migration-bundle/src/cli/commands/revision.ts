import { writeRevisionFile } from '../../graph/revision-file.js';
import { REVISION_ID_PATTERN } from '../../graph/revision.js';
import { UsageError, type Command } from '../command.js';
import { migrationsDir } from '../migrations-dir.js';

export const revisionCommand: Command = {
  usage:
    'revision -m MESSAGE [--dir DIR] [--id ID] [--parent REV ...]\n' +
    'revision --autogenerate -m MESSAGE --schema FILE [--dir DIR] [--rename OLD=NEW ...] [--casing snake_case|camelCase]',
  options: {
    message: { type: 'string', short: 'm' },
    dir: { type: 'string' },
    id: { type: 'string' },
    parent: { type: 'string', multiple: true },
    autogenerate: { type: 'boolean' },
    schema: { type: 'string' },
    rename: { type: 'string', multiple: true },
    casing: { type: 'string' },
  },
  positionals: [],
  async run(args, io) {
    if (args.values.autogenerate === true) {
      // Loaded only when asked for: it brings drizzle and the planner along.
      const { runAutogenerate } = await import('./autogenerate.js');
      return runAutogenerate(args, io);
    }
    for (const option of ['schema', 'rename', 'casing']) {
      if (args.values[option] !== undefined) throw new UsageError(`revision: --${option} only goes with --autogenerate`);
    }
    const message = args.values.message as string | undefined;
    if (message === undefined || message.trim() === '') throw new UsageError('revision: -m MESSAGE is required');
    const id = args.values.id as string | undefined;
    if (id !== undefined && !REVISION_ID_PATTERN.test(id)) {
      throw new UsageError(`revision: --id ${JSON.stringify(id)} is malformed: an id is 4 to 64 characters of [0-9a-z_]`);
    }
    const parents = args.values.parent as string[] | undefined;
    const file = await writeRevisionFile({
      dir: migrationsDir(args, io),
      message,
      ...(id === undefined ? {} : { id }),
      ...(parents === undefined ? {} : { parents }),
    });
    io.stdout.write(`${file}\n`);
    return 0;
  },
};
