import type { Operation } from '@godwit/migration-bundle';
import type { Db } from '../db/open-database.js';

/**
 * The existing tables a revision's operations touch (by name; `execute` SQL is opaque and names
 * none): what the integrity pre-check and the size bookkeeping look at.
 */
export function touchedTables(db: Db, operations: readonly Operation[]): string[] {
  const names = new Set<string>();
  for (const op of operations) {
    switch (op.kind) {
      case 'renameTable':
        names.add(op.from);
        break;
      case 'addForeignKey':
        names.add(op.table).add(op.refTable);
        break;
      case 'dropIndex': {
        const row = db.prepare<[string], { tbl_name: string }>("SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?").get(op.name);
        if (row) names.add(row.tbl_name);
        break;
      }
      case 'execute':
        break;
      default:
        names.add(op.table);
    }
  }
  const existing = new Set(
    db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => row.name.toLowerCase()),
  );
  return [...names].filter((name) => existing.has(name.toLowerCase()));
}
