import type { Database } from 'better-sqlite3';
import type { PlannedOperation } from './planned-operation.js';
import { REBUILD_COPY_PREFIX } from './manual-rebuild.js';

/** Names as the schema spells them, by lower-cased name (the schema description's). */
export interface Spelling {
  tables: Map<string, { name: string; columns: Map<string, string> }>;
  indexes: Map<string, string>;
}

/** The names of the tables, their columns and the indexes of a database, as created. */
export function spellingIn(db: Database): Spelling {
  const named = (type: string) =>
    db.prepare("SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all(type) as string[];
  const byLower = (names: string[]) => new Map(names.map((name) => [name.toLowerCase(), name]));
  const columnsOf = (table: string) => db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
  return {
    tables: new Map(named('table').map((name) => [name.toLowerCase(), { name, columns: byLower(columnsOf(name)) }])),
    indexes: byLower(named('index')),
  };
}

/**
 * The operations with every table, column and index they create or rename to spelled as the schema
 * spells it: SQLite keeps a name as created (`PRAGMA table_info`, `SELECT *` keys), while the
 * schema description the diff works on is lower-cased.
 */
export function respell(operations: PlannedOperation[], spelling: Spelling): PlannedOperation[] {
  const tableOf = (name: string) => spelling.tables.get(name.replace(REBUILD_COPY_PREFIX, ''));
  const table = (name: string) => (name.startsWith(REBUILD_COPY_PREFIX) ? name : (tableOf(name)?.name ?? name));
  const column = (tableName: string, name: string) => tableOf(tableName)?.columns.get(name) ?? name;
  return operations.map((planned) => {
    const op = planned.operation;
    switch (op.kind) {
      case 'createTable':
        return { ...planned, operation: { ...op, table: table(op.table), columns: op.columns.map((c) => ({ ...c, name: column(op.table, c.name) })) } };
      case 'addColumn': {
        const position = { ...(op.before ? { before: column(op.table, op.before) } : {}), ...(op.after ? { after: column(op.table, op.after) } : {}) };
        return { ...planned, operation: { ...op, column: { ...op.column, name: column(op.table, op.column.name) }, ...position } };
      }
      case 'renameTable':
        return { ...planned, operation: { ...op, to: table(op.to) } };
      case 'renameColumn':
        return { ...planned, operation: { ...op, to: column(op.table, op.to) } };
      case 'createIndex':
        return { ...planned, operation: { ...op, name: spelling.indexes.get(op.name) ?? op.name } };
      default:
        return planned;
    }
  });
}
