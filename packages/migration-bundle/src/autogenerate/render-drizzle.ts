import { SQL, getTableName, is } from 'drizzle-orm';
import { CasingCache } from 'drizzle-orm/casing';
import {
  SQLiteBaseInteger,
  SQLiteSyncDialect,
  getTableConfig,
  uniqueKeyName,
  type SQLiteColumn,
  type SQLiteTable,
} from 'drizzle-orm/sqlite-core';
import { quoteIdent, quoteString } from '../sqlite/quote.js';
import { createIndexSql } from '../render/statements.js';
import { checkSql, createTableSql, foreignKeySql, generatedSql, primaryKeySql, renderConstraint } from '../render/table.js';
import type { Casing } from './casing.js';
import { AutogenerateError } from './errors.js';

/**
 * Renders drizzle sqlite-core tables as the DDL that creates them, the way drizzle-kit does
 * (uniques become unique indexes, column names follow `casing`), except that every foreign key is
 * a named constraint so that a revision can later drop it by name.
 */
export function renderDrizzleTables(tables: readonly SQLiteTable[], casing?: Casing): string[] {
  const dialect = new SQLiteSyncDialect(casing ? { casing } : {});
  const names = new CasingCache(casing);
  const statements: string[] = [];
  for (const table of tables) statements.push(...renderTable(table, dialect, (c) => names.getColumnCasing(c)));
  return statements;
}

function renderTable(table: SQLiteTable, dialect: SQLiteSyncDialect, columnName: (column: SQLiteColumn) => string): string[] {
  const config = getTableConfig(table);
  const name = config.name;
  // DDL takes no bound parameters: values written into sql`...` are inlined as literals, and
  // column names stay unqualified ('indexes'), as SQLite wants them in CHECK and index terms.
  const sqlText = (fragment: SQL) => dialect.sqlToQuery(new SQL([fragment]).inlineParams(), 'indexes').sql;
  const singlePk = new Set(
    config.primaryKeys.filter((pk) => pk.columns.length === 1).map((pk) => pk.columns[0]!),
  );
  const lines = config.columns.map((column) =>
    renderColumn(name, column, columnName(column), column.primary || singlePk.has(column), sqlText),
  );
  for (const pk of config.primaryKeys.filter((pk) => pk.columns.length > 1)) {
    lines.push(primaryKeySql(pk.columns.map(columnName)));
  }
  for (const fk of config.foreignKeys) {
    const ref = fk.reference();
    const from = ref.columns.map(columnName);
    const to = ref.foreignColumns.map(columnName);
    // drizzle-kit's own renaming: each property key in the generated name gives way to its column name.
    let fkName = fk.getName();
    ref.columns.forEach((c, i) => (fkName = fkName.replace(c.name, from[i]!)));
    ref.foreignColumns.forEach((c, i) => (fkName = fkName.replace(c.name, to[i]!)));
    const references = {
      table: getTableName(ref.foreignTable),
      columns: to,
      onDelete: (fk.onDelete ?? 'no action').toUpperCase(),
      onUpdate: (fk.onUpdate ?? 'no action').toUpperCase(),
      extra: '',
    };
    lines.push(renderConstraint({ name: fkName, sql: foreignKeySql(from, references) }));
  }
  const checks = new Map<string, string>();
  for (const check of config.checks) {
    const expr = sqlText(check.value);
    const same = checks.get(check.name);
    if (same !== undefined) {
      // SQLite would take both; drizzle-kit refuses the schema, and a later op.dropCheck could not tell them apart.
      throw new AutogenerateError(
        'schema-render',
        `${name} has two CHECK constraints named ${check.name}: (${same}) and (${expr}); give one another name`,
      );
    }
    checks.set(check.name, expr);
    lines.push(renderConstraint({ name: check.name, sql: checkSql(expr) }));
  }
  return [createTableSql(name, lines, {}), ...renderIndexes(table, config, columnName, sqlText).values()];
}

/**
 * The table's unique and plain indexes by name, keyed as drizzle-kit keys them: an index declared
 * with the name of a `.unique()` replaces it (one index); a unique constraint whose name is taken
 * is refused, as drizzle-kit refuses it.
 */
function renderIndexes(
  table: SQLiteTable,
  config: ReturnType<typeof getTableConfig>,
  columnName: (column: SQLiteColumn) => string,
  sqlText: (fragment: SQL) => string,
): Map<string, string> {
  const name = config.name;
  const indexes = new Map<string, string>();
  const addUnique = (indexName: string, columns: string[]) => {
    if (indexes.has(indexName)) {
      throw new AutogenerateError(
        'schema-render',
        `${name}: the unique constraint ${indexName} on (${columns.join(', ')}) has the name of another unique constraint or index; give one another name`,
      );
    }
    indexes.set(indexName, createIndexSql({ name: indexName, table: name, columns: columns.map(quoteIdent), unique: true }));
  };
  for (const column of config.columns.filter((c) => c.isUnique)) {
    addUnique(column.uniqueName ?? uniqueKeyName(table, [column.name]), [columnName(column)]);
  }
  for (const index of config.indexes) {
    const { name: indexName, columns, unique, where } = index.config;
    const terms = columns.map((term) => (is(term, SQL) ? sqlText(term) : quoteIdent(columnName(term as SQLiteColumn))));
    indexes.set(indexName, createIndexSql({ name: indexName, table: name, columns: terms, unique: Boolean(unique), ...(where ? { where: sqlText(where) } : {}) }));
  }
  for (const unique of config.uniqueConstraints) {
    const columns = unique.columns.map(columnName);
    addUnique(unique.getName() ?? uniqueKeyName(table, columns), columns);
  }
  return indexes;
}

function renderColumn(
  table: string,
  column: SQLiteColumn,
  columnName: string,
  primaryKey: boolean,
  sqlText: (fragment: SQL) => string,
): string {
  let line = `${quoteIdent(columnName)} ${column.getSQLType()}`;
  if (primaryKey) {
    line += ' PRIMARY KEY';
    if (is(column, SQLiteBaseInteger) && column.autoIncrement) line += ' AUTOINCREMENT';
  }
  if (column.default !== undefined) line += ` DEFAULT ${renderDefault(table, column, sqlText)}`;
  if (column.generated) {
    const as = column.generated.as;
    const expr = is(as, SQL) ? sqlText(as) : typeof as === 'function' ? sqlText((as as () => SQL)()) : String(as);
    line += ` ${generatedSql(expr, column.generated.mode === 'stored')}`;
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
  if (typeof stored === 'string') return quoteString(stored);
  if (typeof stored === 'number' || typeof stored === 'bigint') return String(stored);
  if (typeof stored === 'boolean') return stored ? '1' : '0';
  if (stored instanceof Uint8Array) return `X'${Buffer.from(stored).toString('hex')}'`;
  throw new AutogenerateError(
    'schema-render',
    `${table}.${column.name}: cannot render default ${JSON.stringify(value)} as SQL; use sql\`...\``,
  );
}
