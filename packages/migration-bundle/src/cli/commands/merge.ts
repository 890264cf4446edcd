import { writeMergeRevision } from '../../graph/revision-file.js';
import { REVISION_ID_PATTERN } from '../../graph/revision.js';
import { UsageError, type Command } from '../command.js';
import { migrationsDir } from '../migrations-dir.js';

export const mergeCommand: Command = {
  usage: 'merge -m MESSAGE [--dir DIR] [--id ID]',
  options: {
    message: { type: 'string', short: 'm' },
    dir: { type: 'string' },
    id: { type: 'string' },
  },
  positionals: [],
  async run(args, io) {
    const message = args.values.message as string | undefined;
    if (message === undefined || message.trim() === '') throw new UsageError('merge: -m MESSAGE is required');
    const id = args.values.id as string | undefined;
    if (id !== undefined && !REVISION_ID_PATTERN.test(id)) {
      throw new UsageError(`merge: --id ${JSON.stringify(id)} is malformed: an id is 4 to 64 characters of [0-9a-z_]`);
    }
    const file = await writeMergeRevision({
      dir: migrationsDir(args, io),
      message,
      ...(id === undefined ? {} : { id }),
    });
    io.stdout.write(`${file}\n`);
    return 0;
  },
};
