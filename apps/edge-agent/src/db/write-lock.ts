import { AgentError } from '../errors.js';
import type { Db } from './open-database.js';

/** SQLite's busy timeout is a signed 32-bit count of milliseconds (about 24.8 days). */
export const MAX_LOCK_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * True for SQLite's "another connection holds the lock" errors, also once the engine has wrapped
 * them (its MigrationError keeps SQLite's message, not its code).
 */
export function isLockError(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED' || e.code === 'SQLITE_BUSY_SNAPSHOT') return true;
    if (typeof e.message === 'string' && /database (table )?is locked/.test(e.message)) return true;
  }
  return false;
}

/** `lockTimeoutMs` < 0 when the wait is not known. */
export function lockedError(path: string, lockTimeoutMs: number, cause?: unknown): AgentError {
  return new AgentError(
    'locked',
    `database ${path} is locked by another process${lockTimeoutMs >= 0 ? ` (waited ${lockTimeoutMs} ms)` : ''}; stop the application using it, or retry with a longer --lock-timeout MS`,
    null,
    { cause },
  );
}

/**
 * Takes and releases the write lock, waiting at most the connection's busy timeout, so that a
 * database another process is writing is reported (exit 6) before backups or plans are made.
 */
export function probeWriteLock(db: Db, path: string, lockTimeoutMs: number): void {
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  } catch (error) {
    if (isLockError(error)) throw lockedError(path, lockTimeoutMs, error);
    throw error;
  }
}
