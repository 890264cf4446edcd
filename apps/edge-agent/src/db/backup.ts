import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AgentError } from '../errors.js';
import type { Db } from './open-database.js';

/** Backups go beside the database unless configured: `app.db` → `app.db.backups/`. */
export function defaultBackupDir(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath)}.backups`);
}

/**
 * A consistent copy through SQLite's online backup API, named so that names sort by time, then
 * prunes all but the newest `keep`. Returns the new backup's path. A backup that cannot be written
 * is removed (a partial copy would pass for the newest backup) and the error names the folder.
 */
export async function backupDatabase(db: Db, dbPath: string, dir: string, keep: number): Promise<string> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw backupFailed(dir, error);
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '');
  const existing = new Set(listBackups(dbPath, dir));
  const nameFor = (n: number) => join(dir, `${basename(dbPath)}.${stamp}-${String(n).padStart(3, '0')}.bak`);
  let n = 0;
  while (existing.has(nameFor(n))) n++;
  const path = nameFor(n);
  try {
    await db.backup(path);
  } catch (error) {
    rmSync(path, { force: true });
    throw backupFailed(dir, error);
  }
  for (const old of listBackups(dbPath, dir).slice(Math.max(keep, 1))) rmSync(old, { force: true });
  return path;
}

function backupFailed(dir: string, error: unknown): AgentError {
  return new AgentError(
    'failed',
    `cannot write a backup in folder ${dir} (${(error as Error).message}); nothing was changed: pass --backup-dir DIR on a writable disk (backupDir in the config), or --no-backup`,
    null,
    { cause: error },
  );
}

/** The backups of `dbPath` in `dir`, newest first. */
export function listBackups(dbPath: string, dir: string): string[] {
  const prefix = `${basename(dbPath)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix) && name.endsWith('.bak'))
    .sort()
    .reverse()
    .map((name) => join(dir, name));
}
