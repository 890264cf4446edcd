import { SQL, getTableName, is } from 'drizzle-orm';
import {
  SQLiteBaseInteger,
  SQLiteSyncDialect,
  getTableConfig,
  uniqueKeyName,
  type SQLiteColumn,
  type SQLiteTable,
} from 'drizzle-orm/sqlite-core';
import { AutogenerateError } from './errors.js';

/**
 * Renders drizzle sqlite-core tables as the DDL that creates them, the way drizzle-kit does
 * (uniques become unique indexes), except that every foreign key is a named constraint so that a
 * revision can later drop it by name.
 */
export function renderDrizzleTables(tables: readonly SQLiteTable[]): string[] {
  const dialect = new SQLiteSyncDialect();
  const statements: string[] = [];
  for (const table of tables) statements.push(...renderTable(table, dialect));
  return statements;
}

function renderTable(table: SQLiteTable, dialect: SQLiteSyncDialect): string[] {
  const config = getTableConfig(table);
  const name = config.name;
  // DDL takes no bound parameters: values written into sql`...` are inlined as literals, and
  // column names stay unqualified ('indexes'), as SQLite wants them in CHECK and index terms.
  const sqlText = (fragment: SQL) => dialect.sqlToQuery(new SQL([fragment]).inlineParams(), 'indexes').sql;
  const singlePk = new Set(
    config.primaryKeys.filter((pk) => pk.columns.length === 1).map((pk) => pk.columns[0]!.name),
  );
  const lines = config.columns.map((column) =>
    renderColumn(name, column, column.primary || singlePk.has(column.name), sqlText),
  );
  for (const pk of config.primaryKeys.filter((pk) => pk.columns.length > 1)) {
    lines.push(`PRIMARY KEY (${pk.columns.map((c) => quote(c.name)).join(', ')})`);
  }
  for (const fk of config.foreignKeys) {
    const ref = fk.reference();
    let line =
      `CONSTRAINT ${quote(fk.getName())} FOREIGN KEY (${ref.columns.map((c) => quote(c.name)).join(', ')})` +
      ` REFERENCES ${quote(getTableName(ref.foreignTable))} (${ref.foreignColumns.map((c) => quote(c.name)).join(', ')})`;
    if (fk.onUpdate && fk.onUpdate !== 'no action') line += ` ON UPDATE ${fk.onUpdate.toUpperCase()}`;
    if (fk.onDelete && fk.onDelete !== 'no action') line += ` ON DELETE ${fk.onDelete.toUpperCase()}`;
    lines.push(line);
  }
  for (const check of config.checks) {
    lines.push(`CONSTRAINT ${quote(check.name)} CHECK (${sqlText(check.value)})`);
  }
  const statements = [`CREATE TABLE ${quote(name)} (\n  ${lines.join(',\n  ')}\n)`];

  for (const column of config.columns.filter((c) => c.isUnique)) {
    const indexName = column.uniqueName ?? uniqueKeyName(table, [column.name]);
    statements.push(`CREATE UNIQUE INDEX ${quote(indexName)} ON ${quote(name)} (${quote(column.name)})`);
  }
  for (const unique of config.uniqueConstraints) {
    const columns = unique.columns.map((c) => c.name);
    const indexName = unique.getName() ?? uniqueKeyName(table, columns);
    statements.push(
      `CREATE UNIQUE INDEX ${quote(indexName)} ON ${quote(name)} (${columns.map(quote).join(', ')})`,
    );
  }
  for (const index of config.indexes) {
    const { name: indexName, columns, unique, where } = index.config;
    const terms = columns.map((term) => (is(term, SQL) ? sqlText(term) : quote(term.name)));
    statements.push(
      `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quote(indexName)} ON ${quote(name)} (${terms.join(', ')})` +
        (where ? ` WHERE ${sqlText(where)}` : ''),
    );
  }
  return statements;
}

function renderColumn(
  table: string,
  column: SQLiteColumn,
  primaryKey: boolean,
  sqlText: (fragment: SQL) => string,
): string {
  let line = `${quote(column.name)} ${column.getSQLType()}`;
  if (primaryKey) {
    line += ' PRIMARY KEY';
    if (is(column, SQLiteBaseInteger) && column.autoIncrement) line += ' AUTOINCREMENT';
  }
  if (column.default !== undefined) line += ` DEFAULT ${renderDefault(table, column, sqlText)}`;
  if (column.generated) {
    const as = column.generated.as;
    const expr = is(as, SQL) ? sqlText(as) : typeof as === 'function' ? sqlText((as as () => SQL)()) : String(as);
    line += ` GENERATED ALWAYS AS (${expr}) ${(column.generated.mode ?? 'virtual').toUpperCase()}`;
  }
  if (column.notNull) line += ' NOT NULL';
  return line;
}

/** A JavaScript default becomes the literal drizzle itself would store for it. */
function renderDefault(table: string, column: SQLiteColumn, sqlText: (fragment: SQL) => string): string {
  const value: unknown = column.default;
  if (is(value, SQL)) return sqlText(value);
  const stored: unknown = value === null ? null : column.mapToDriverValue(value);
  if (stored === null) return 'NULL';
  if (typeof stored === 'string') return `'${stored.replaceAll("'", "''")}'`;
  if (typeof stored === 'number' || typeof stored === 'bigint') return String(stored);
  if (typeof stored === 'boolean') return stored ? '1' : '0';
  if (stored instanceof Uint8Array) return `X'${Buffer.from(stored).toString('hex')}'`;
  throw new AutogenerateError(
    'schema-render',
    `${table}.${column.name}: cannot render default ${JSON.stringify(value)} as SQL; use sql\`...\``,
  );
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
