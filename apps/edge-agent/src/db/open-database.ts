import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AgentError } from '../errors.js';

export type Db = Database.Database;

/**
 * A read-only connection, or null when the file does not exist yet (a new device: an empty
 * database). Read-only so that a refused command cannot change the file, not even by the WAL
 * checkpoint a read-write connection runs when it closes.
 */
export function openForReading(path: string, lockTimeoutMs: number): Db | null {
  if (!existsSync(path)) return null;
  try {
    return new Database(path, { readonly: true, fileMustExist: true, timeout: lockTimeoutMs });
  } catch (error) {
    throw cannotOpen(path, error);
  }
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
  return new AgentError('failed', `cannot open database ${path}: ${(error as Error).message}; check the --db path and its permissions`, null, { cause: error });
}
