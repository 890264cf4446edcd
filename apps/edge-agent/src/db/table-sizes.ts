import { quoteIdent } from '@godwit/migration-bundle/device';
import type { Db } from './open-database.js';

/** Bytes each table occupies on disk: its own pages and its indexes' (dbstat, aggregated per b-tree). */
export function tableSizes(db: Db, tables: readonly string[]): Record<string, number> {
  const sizes: Record<string, number> = {};
  const indexesOf = db.prepare<[string], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?");
  const pagesOf = db.prepare<[string], { bytes: number | null }>('SELECT pgsize AS bytes FROM dbstat WHERE name = ? AND aggregate = TRUE');
  for (const table of tables) {
    let bytes = 0;
    for (const name of [table, ...indexesOf.all(table).map((row) => row.name)]) bytes += pagesOf.get(name)?.bytes ?? 0;
    sizes[table] = bytes;
  }
  return sizes;
}

export function databaseBytes(db: Db): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pageCount = db.pragma('page_count', { simple: true }) as number;
  return pageSize * pageCount;
}

/** Bytes of the database's pages in use (not on the free list): at least any of its tables' bytes. */
export function usedBytes(db: Db): number {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return databaseBytes(db) - free * (db.pragma('page_size', { simple: true }) as number);
}

export function tableExists(db: Db, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE").get(table) !== undefined;
}

/** Rows in a table; 0 for one that does not exist (yet, or any more). */
export function rowCount(db: Db, table: string): number {
  if (!tableExists(db, table)) return 0;
  return (db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table)}`).get() as { n: number }).n;
}
