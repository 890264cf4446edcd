import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AgentError } from '../errors.js';
import { isLockError, lockedError } from './write-lock.js';

export type Db = Database.Database;

/**
 * A read-only connection, or null when the file does not exist yet (a new device: an empty
 * database). Read-only so that a refused command cannot change the file, not even by the WAL
 * checkpoint a read-write connection runs when it closes.
 */
export function openForReading(path: string, lockTimeoutMs: number): Db | null {
  if (!existsSync(path)) return null;
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
  try {
    return new Database(path, { timeout: lockTimeoutMs });
  } catch (error) {
    throw cannotOpen(path, error);
  }
}

function cannotOpen(path: string, error: unknown): AgentError {
  if (isLockError(error)) return lockedError(path, -1, error);
  return new AgentError('failed', `cannot open database ${path}: ${(error as Error).message}; check the --db path and its permissions`, null, { cause: error });
}
