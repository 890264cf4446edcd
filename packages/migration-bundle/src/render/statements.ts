/**
 * The text of every statement a plan is made of, one function per kind of step: the planner, the
 * rebuild, autogenerate's hand rebuild and the executor's ranged copy all write SQL through here.
 */
import type { Operation } from '../ops/operation.js';
import type { ColumnDef } from '../sqlite/table-def.js';
import { quoteIdent, quoteString } from '../sqlite/quote.js';
import { keyTerm, renderColumn } from './table.js';

export function dropTableSql(table: string): string {
  return `DROP TABLE ${quoteIdent(table)}`;
}

export function renameTableSql(from: string, to: string): string {
  return `ALTER TABLE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`;
}

export function renameColumnSql(table: string, from: string, to: string): string {
  return `ALTER TABLE ${quoteIdent(table)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`;
}

export function addColumnSql(table: string, column: ColumnDef): string {
  return `ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${renderColumn(column)}`;
}

export function dropColumnSql(table: string, column: string): string {
  return `ALTER TABLE ${quoteIdent(table)} DROP COLUMN ${quoteIdent(column)}`;
}

export function createIndexSql(index: Omit<Extract<Operation, { kind: 'createIndex' }>, 'kind'>): string {
  const where = index.where ? ` WHERE ${index.where}` : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ${quoteIdent(index.table)} (${index.columns.map(keyTerm).join(', ')})${where}`;
}

export function dropIndexSql(name: string): string {
  return `DROP INDEX ${quoteIdent(name)}`;
}

export function dropViewSql(name: string): string {
  return `DROP VIEW ${quoteIdent(name)}`;
}

export function dropTriggerSql(name: string): string {
  return `DROP TRIGGER ${quoteIdent(name)}`;
}

/** `PRAGMA foreign_key_check`, of one table when named. */
export function foreignKeyCheckSql(table?: string): string {
  return table === undefined ? 'PRAGMA foreign_key_check' : `PRAGMA foreign_key_check(${quoteIdent(table)})`;
}

/** A query that fails when the table or view no longer resolves, and reads no row. */
export function probeSql(name: string): string {
  return `SELECT * FROM ${quoteIdent(name)} LIMIT 0`;
}

/** A rebuild's row copy: `columns` (as rendered) of `into` take `exprs` over each row of `from`. */
export function copyRowsSql(into: string, from: string, columns: readonly string[], exprs: readonly string[]): string {
  return `INSERT INTO ${quoteIdent(into)} (${columns.join(', ')}) SELECT ${exprs.join(', ')} FROM ${quoteIdent(from)}`;
}

/**
 * The key of a row whose column `key` becomes the rowid's alias: its own value; where that is NULL,
 * its old rowid if no row's own value is that number; otherwise a fresh one above every key and
 * every kept rowid (the largest plus the row's distance from the smallest old rowid, so unique and
 * independent of copy order). Computed from the whole old table, it is the same whether the copy
 * runs at once or in rowid ranges, and no kept value can collide with it.
 */
export function newRowidKeySql(key: string, rowid: string, table: string): string {
  const from = quoteIdent(table);
  return (
    `CASE WHEN ${key} IS NOT NULL THEN ${key} ` +
    `WHEN ${rowid} NOT IN (SELECT ${key} FROM ${from} WHERE ${key} IS NOT NULL) THEN ${rowid} ` +
    `ELSE (SELECT max(CAST(coalesce(${key}, ${rowid}) AS NUMERIC)) FROM ${from}) + ${rowid} - (SELECT min(${rowid}) FROM ${from}) + 1 END`
  );
}

/** The rows of a row copy (see copyRowsSql) whose rowid lies in a range, given as two parameters. */
export function copyRowsInRangeSql(copySql: string, rowid: string): string {
  return `${copySql} WHERE ${rowid} >= ? AND ${rowid} <= ?`;
}

/**
 * The lowest and highest rowid of a table, each in a subquery of its own: SQLite reads them from the
 * ends of the b-tree only when nothing else shares the query (with count(*) beside them it scans the
 * whole table).
 */
export function rowidBoundsSql(table: string, rowid: string): string {
  const from = quoteIdent(table);
  return `SELECT (SELECT min(${rowid}) FROM ${from}) AS low, (SELECT max(${rowid}) FROM ${from}) AS high`;
}

/**
 * A rebuilt AUTOINCREMENT table keeps its high-water mark, which may exceed the largest rowid
 * still present: the copy `into` takes over the `sqlite_sequence` row of `from`.
 */
export function carrySequenceSql(into: string, from: string): string[] {
  return [
    `DELETE FROM sqlite_sequence WHERE name = ${quoteString(into)}`,
    `UPDATE sqlite_sequence SET name = ${quoteString(into)} WHERE name = ${quoteString(from)}`,
  ];
}

export function legacyAlterTableSql(on: boolean): string {
  return `PRAGMA legacy_alter_table = ${on ? 'ON' : 'OFF'}`;
}

/** SQL comment lines, one per line of `lines`, to go before a statement. */
export function commentLines(lines: readonly string[]): string {
  return lines.map((line) => `-- ${line}\n`).join('');
}
