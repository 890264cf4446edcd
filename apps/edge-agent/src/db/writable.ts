import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AgentError } from '../errors.js';
import { existingAncestor } from './free-space.js';

/** Files SQLite writes besides the database itself, when they exist. */
const COMPANION_SUFFIXES = ['', '-journal', '-wal', '-shm'];

/**
 * Refuses (exit 6) a change this process could not write, before anything is opened for writing:
 * the database file (and its journal or WAL when present), its folder (SQLite creates the journal
 * beside the database) and the backup folder. access(2) sees permissions, read-only mounts (EROFS)
 * and immutable files (EPERM) alike, so a read-only device is never reported as a failed migration.
 */
export function checkWritable(dbPath: string, backupDir: string | null): void {
  const dbDir = dirname(resolve(dbPath));
  for (const path of COMPANION_SUFFIXES.map((suffix) => dbPath + suffix).filter((p) => existsSync(p))) {
    const code = notWritable(path);
    if (code) throw readOnly(`${path === dbPath ? 'database' : 'file'} ${path} is not writable (${explain(code)}); nothing was changed: make it writable for the agent's user and retry`);
  }
  const dirCode = notWritable(dbDir);
  if (dirCode) {
    throw readOnly(
      `folder ${dbDir} of database ${dbPath} is not writable (${explain(dirCode)}); SQLite creates its journal there; nothing was changed: make the folder writable for the agent's user and retry`,
    );
  }
  if (backupDir === null) return;
  const existing = existingAncestor(backupDir);
  const backupCode = notWritable(existing);
  if (backupCode) {
    const what = existing === resolve(backupDir) ? `backup folder ${backupDir} is not writable` : `cannot create backup folder ${backupDir}: ${existing} is not writable`;
    throw readOnly(`${what} (${explain(backupCode)}); nothing was changed: pass --backup-dir DIR on a writable disk (backupDir in the config), or --no-backup`);
  }
}

function notWritable(path: string): string | null {
  try {
    accessSync(path, constants.W_OK);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'unknown error';
  }
}

function explain(code: string): string {
  if (code === 'EROFS') return 'read-only file system, EROFS';
  if (code === 'EACCES') return 'no write permission for this user, EACCES';
  if (code === 'EPERM') return 'immutable or not permitted, EPERM';
  return code;
}

function readOnly(message: string): AgentError {
  return new AgentError('read-only', message);
}
