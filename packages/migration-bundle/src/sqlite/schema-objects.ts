import type { Database } from 'better-sqlite3';
import { parseCreateIndex, type IndexDef } from './parse-create-index.js';
import { parseCreateTable } from './parse-create-table.js';
import type { TableDef } from './table-def.js';

/** Objects of one database as stored in `sqlite_schema`, with tables and indexes parsed. */
export interface SchemaObjects {
  tables: { def: TableDef; sql: string }[];
  indexes: { def: IndexDef; sql: string }[];
  triggers: { name: string; table: string; sql: string }[];
  views: { name: string; sql: string }[];
  virtualTables: { name: string; sql: string }[];
}

export class SchemaReadError extends Error {
  readonly code = 'schema-unreadable';
}

/** Names the tool owns or SQLite reserves; never part of an application schema. */
export function isInternalName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('sqlite_') || lower.startsWith('godwit_') || lower.startsWith('_godwit_');
}

export interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string;
}

/** True for `CREATE VIRTUAL TABLE` statements (FTS5, R*Tree, ...). */
export function isVirtualTableSql(sql: string): boolean {
  return /^\s*create\s+virtual\s/i.test(sql);
}

/**
 * The application's own schema rows, in creation order: without SQLite's and Godwit's objects,
 * and without the shadow tables a virtual table creates and owns.
 */
export function applicationSchemaRows(db: Database): SchemaRow[] {
  const shadows = new Set(
    (db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'").pluck().all() as string[]).map(
      (name) => name.toLowerCase(),
    ),
  );
  return (
    db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid').all() as SchemaRow[]
  ).filter((row) => !isInternalName(row.name) && !isInternalName(row.tbl_name) && !shadows.has(row.name.toLowerCase()));
}

export function readSchemaObjects(db: Database): SchemaObjects {
  const objects: SchemaObjects = { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] };
  for (const row of applicationSchemaRows(db)) {
    try {
      if (row.type === 'table' && isVirtualTableSql(row.sql)) objects.virtualTables.push({ name: row.name, sql: row.sql });
      else if (row.type === 'table') {
        objects.tables.push({ def: parseCreateTable(row.sql), sql: row.sql });
      } else if (row.type === 'index') objects.indexes.push({ def: parseCreateIndex(row.sql), sql: row.sql });
      else if (row.type === 'trigger') objects.triggers.push({ name: row.name, table: row.tbl_name, sql: row.sql });
      else if (row.type === 'view') objects.views.push({ name: row.name, sql: row.sql });
    } catch (error) {
      throw new SchemaReadError(`cannot read the definition of ${row.type} ${row.name}: ${(error as Error).message}`);
    }
  }
  for (const { def } of objects.tables) checkColumnsMatch(db, def);
  return objects;
}

/** Guards the parser: the columns it found must be the ones SQLite itself reports. */
function checkColumnsMatch(db: Database, def: TableDef): void {
  const reported = (db.prepare('SELECT name FROM pragma_table_xinfo(?)').all(def.name) as { name: string }[]).map(
    (r) => r.name,
  );
  const parsed = def.columns.map((c) => c.name);
  if (reported.join('\u0000') !== parsed.join('\u0000')) {
    throw new SchemaReadError(
      `cannot read the definition of table ${def.name}: parsed columns (${parsed.join(', ')}) differ from SQLite's (${reported.join(', ')})`,
    );
  }
}
