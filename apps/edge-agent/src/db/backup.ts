import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Db } from './open-database.js';

/** Backups go beside the database unless configured: `app.db` → `app.db.backups/`. */
export function defaultBackupDir(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath)}.backups`);
}

/**
 * A consistent copy through SQLite's online backup API, named so that names sort by time, then
 * prunes all but the newest `keep`. Returns the new backup's path.
 */
export async function backupDatabase(db: Db, dbPath: string, dir: string, keep: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '');
  const existing = new Set(listBackups(dbPath, dir));
  const nameFor = (n: number) => join(dir, `${basename(dbPath)}.${stamp}-${String(n).padStart(3, '0')}.bak`);
  let n = 0;
  while (existing.has(nameFor(n))) n++;
  const path = nameFor(n);
  await db.backup(path);
  for (const old of listBackups(dbPath, dir).slice(Math.max(keep, 1))) rmSync(old, { force: true });
  return path;
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
