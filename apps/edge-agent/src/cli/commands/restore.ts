import { defaultBackupDir } from '../../db/backup.js';
import { restoreDatabase } from '../../db/restore.js';
import type { AgentCommand } from '../command.js';
import { DB_OPTION, DEFAULT_LOCK_TIMEOUT_MS, LOCK_OPTION, nonNegativeInt, optionalString, requireString } from '../options.js';

export const command: AgentCommand = {
  usage: `restore --db FILE [--backup FILE] [--backup-dir DIR] [--lock-timeout MS]

  Replaces the database with its newest backup (from FILE.backups beside it, or --backup-dir),
  or with the one named by --backup, after checking the backup's integrity.`,
  options: { ...DB_OPTION, ...LOCK_OPTION, backup: { type: 'string' }, 'backup-dir': { type: 'string' } },
  positionals: [],
  run: async ({ values }, io) => {
    const dbPath = requireString(values, 'db', 'restore');
    const restored = await restoreDatabase(
      dbPath,
      optionalString(values, 'backup-dir') ?? defaultBackupDir(dbPath),
      optionalString(values, 'backup'),
      nonNegativeInt(values, 'lock-timeout', DEFAULT_LOCK_TIMEOUT_MS),
    );
    io.stdout.write(`restored ${dbPath} from ${restored}\n`);
    return 0;
  },
};
