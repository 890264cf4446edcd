import { statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AgentError, usageError } from '../errors.js';
import { isLockError, lockedError } from './write-lock.js';

export type Db = Database.Database;

/**
 * A read-only connection, or null when the file does not exist yet (a new device: an empty
 * database). Read-only so that a refused command cannot change the file, not even by the WAL
 * checkpoint a read-write connection runs when it closes.
 */
export function openForReading(path: string, lockTimeoutMs: number): Db | null {
  if (!checkDatabasePath(path)) return null;
  try {
    return openReadOnly(path, lockTimeoutMs);
  } catch (error) {
    if (!needsRecovery(error)) throw cannotOpen(path, error);
  }
  // A process killed mid-transaction left a hot journal (or an unrecovered WAL) that only a
  // read-write connection may roll back: SQLite does so on its first read, atomically.
  const recovering = openForWriting(path, lockTimeoutMs);
  try {
    recovering.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    throw cannotOpen(path, error);
  } finally {
    recovering.close();
  }
  try {
    return openReadOnly(path, lockTimeoutMs);
  } catch (error) {
    throw cannotOpen(path, error);
  }
}

function openReadOnly(path: string, lockTimeoutMs: number): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: lockTimeoutMs });
  try {
    // Errors such as a hot journal only show on the first read.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function needsRecovery(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_READONLY_ROLLBACK' || code === 'SQLITE_READONLY_RECOVERY' || code === 'SQLITE_READONLY_CANTINIT';
}

/** A read-write connection; creates the file when it does not exist. Waits `lockTimeoutMs` on locks. */
export function openForWriting(path: string, lockTimeoutMs: number): Db {
  checkDatabasePath(path);
  try {
    return new Database(path, { timeout: lockTimeoutMs });
  } catch (error) {
    throw cannotOpen(path, error);
  }
}

/**
 * Refuses (usage, exit 2) a path that can never be a database, the same way for every command:
 * a folder, or a file whose folder does not exist. Returns whether the file exists.
 */
function checkDatabasePath(path: string): boolean {
  const stats = statOrNull(path);
  if (stats?.isDirectory()) throw usageError(`--db ${path} is a folder, not a database file; check the --db path`);
  if (stats) return true;
  const folder = dirname(resolve(path));
  if (!statOrNull(folder)?.isDirectory()) throw usageError(`cannot use database ${path}: folder ${folder} does not exist; check the --db path`);
  return false;
}

/** The file's status, or null when there is nothing there (ENOENT, or a parent that is a file: ENOTDIR). */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new AgentError('failed', `cannot look up ${path} (${code}); check the --db path and its permissions`, null, { cause: error });
  }
}

function cannotOpen(path: string, error: unknown): AgentError {
  if (isLockError(error)) return lockedError(path, -1, error);
  return new AgentError('failed', `cannot open database ${path}: ${(error as Error).message}; check the --db path and its permissions`, null, { cause: error });
}
