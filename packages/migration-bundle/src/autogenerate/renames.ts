import type { SchemaDescription, TableDescription } from '../schema/description.js';
import { AutogenerateError } from './errors.js';

/**
 * Renames from one schema to the other, keyed by the names in the schema they start from.
 * Column renames are keyed by the table's starting name.
 */
export interface Renames {
  tables: Map<string, string>;
  columns: Map<string, Map<string, string>>;
}

function noRenames(): Renames {
  return { tables: new Map(), columns: new Map() };
}

/**
 * Parses `--rename OLD=NEW` values (`users=accounts`, `users.name=full_name`) and checks each one
 * against the two schemas: OLD must exist only in `from`, NEW only in `to`.
 */
export function parseRenames(values: readonly string[], from: SchemaDescription, to: SchemaDescription): Renames {
  const renames = noRenames();
  const tableIn = (schema: SchemaDescription, name: string) => schema.tables.find((t) => t.name === name);
  for (const value of values) {
    const match = /^([^=.\s]+)(?:\.([^=.\s]+))?=([^=.\s]+)$/.exec(value.trim());
    if (!match) {
      throw new AutogenerateError('invalid-input', `--rename ${value}: expected OLD=NEW or TABLE.OLD=NEW`);
    }
    const [, tableName, column, target] = match.map((part) => part?.toLowerCase()) as [string, string, string | undefined, string];
    if (column === undefined) {
      if (!tableIn(from, tableName) || tableIn(to, tableName)) {
        throw new AutogenerateError('invalid-input', `--rename ${value}: the head has no table ${tableName} that the schema drops`);
      }
      if (!tableIn(to, target) || tableIn(from, target)) {
        throw new AutogenerateError('invalid-input', `--rename ${value}: the schema adds no table ${target}`);
      }
      renames.tables.set(tableName, target);
      continue;
    }
    // TABLE may be spelled with its old or its new name when the table is renamed as well.
    const oldTable =
      [...renames.tables].find(([, renamed]) => renamed === tableName)?.[0] ??
      (tableIn(from, tableName) ? tableName : undefined);
    const fromTable = oldTable === undefined ? undefined : tableIn(from, oldTable);
    const toTable = oldTable === undefined ? undefined : tableIn(to, renames.tables.get(oldTable) ?? oldTable);
    if (!fromTable || !toTable) {
      throw new AutogenerateError('invalid-input', `--rename ${value}: table ${tableName} must be in both the head and the schema`);
    }
    if (!hasColumn(fromTable, column) || hasColumn(toTable, column)) {
      throw new AutogenerateError('invalid-input', `--rename ${value}: the schema drops no column ${tableName}.${column}`);
    }
    if (!hasColumn(toTable, target) || hasColumn(fromTable, target)) {
      throw new AutogenerateError('invalid-input', `--rename ${value}: the schema adds no column ${toTable.name}.${target}`);
    }
    const columns = renames.columns.get(fromTable.name) ?? new Map<string, string>();
    columns.set(column, target);
    renames.columns.set(fromTable.name, columns);
  }
  return renames;
}

/** The same renames, undone: keyed by the names they lead to. */
export function invertRenames(renames: Renames): Renames {
  const inverted = noRenames();
  for (const [from, to] of renames.tables) inverted.tables.set(to, from);
  for (const [table, columns] of renames.columns) {
    const renamed = new Map([...columns].map(([from, to]) => [to, from] as const));
    inverted.columns.set(renames.tables.get(table) ?? table, renamed);
  }
  return inverted;
}

/**
 * `schema` as it reads after the renames: tables and columns take their new names everywhere
 * SQLite's own RENAME rewrites them (indexes, foreign keys of other tables, primary keys).
 */
export function applyRenames(schema: SchemaDescription, renames: Renames): SchemaDescription {
  const tableName = (name: string) => renames.tables.get(name) ?? name;
  const columnName = (table: string, name: string) => renames.columns.get(table)?.get(name) ?? name;
  const renameTable = (table: TableDescription): TableDescription => ({
    ...table,
    name: tableName(table.name),
    columns: table.columns.map((c) => ({ ...c, name: columnName(table.name, c.name) })),
    uniques: table.uniques.map((u) => ({ ...u, columns: u.columns.map((c) => columnName(table.name, c)) })),
    foreignKeys: table.foreignKeys.map((fk) => ({
      ...fk,
      columns: fk.columns.map((c) => columnName(table.name, c)),
      refTable: tableName(fk.refTable),
      refColumns: fk.refColumns.map((c) => columnName(fk.refTable, c)),
    })),
  });
  return {
    ...schema,
    tables: schema.tables.map(renameTable),
    indexes: schema.indexes.map((index) => ({
      ...index,
      table: tableName(index.table),
      columns: index.columns.map((c) => columnName(index.table, c)),
    })),
    triggers: schema.triggers.map((trigger) => ({ ...trigger, table: tableName(trigger.table) })),
  };
}

function hasColumn(table: TableDescription, name: string): boolean {
  return table.columns.some((c) => c.name === name);
}
