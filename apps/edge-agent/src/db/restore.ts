import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AgentError } from '../errors.js';
import { listBackups } from './backup.js';
import { openForWriting } from './open-database.js';
import { checkWritable } from './writable.js';
import { isLockError, lockedError, probeWriteLock } from './write-lock.js';

/**
 * Brings a backup back: checks the backup's integrity first, then copies it over the database
 * through the online backup API, which writes the destination in one transaction under its lock:
 * a crash during the restore leaves the old database, never a half-copied one.
 */
export async function restoreDatabase(dbPath: string, backupDir: string, backupPath: string | undefined, lockTimeoutMs: number): Promise<string> {
  const source = backupPath ?? listBackups(dbPath, backupDir)[0];
  if (source === undefined) {
    throw new AgentError('no-backup', `no backup of ${dbPath} in ${backupDir}; name one with --backup FILE`);
  }
  if (!existsSync(source)) throw new AgentError('no-backup', `backup ${source} does not exist; check the --backup path`);
  const backup = new Database(source, { readonly: true, fileMustExist: true });
  try {
    const result = backup.pragma('integrity_check', { simple: true });
    if (result !== 'ok') {
      throw new AgentError('integrity', `backup ${source} fails its integrity check (${String(result)}); restore an older one with --backup FILE`);
    }
    checkWritable(dbPath, null);
    const target = openForWriting(dbPath, lockTimeoutMs);
    try {
      probeWriteLock(target, dbPath, lockTimeoutMs);
    } finally {
      target.close();
    }
    await backup.backup(dbPath);
  } catch (error) {
    if (isLockError(error)) throw lockedError(dbPath, lockTimeoutMs, error);
    throw error;
  } finally {
    backup.close();
  }
  return source;
}
