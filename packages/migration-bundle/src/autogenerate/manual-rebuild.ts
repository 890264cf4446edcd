import { mentions } from '../plan/table-rebuild.js';
import { quoteIdent } from '../sqlite/quote.js';
import { carrySequenceSql, copyRowsSql, dropTriggerSql, dropViewSql } from '../render/statements.js';
import type { SchemaDescription, TableDescription } from '../schema/description.js';
import { createTableArgs } from './column-spec.js';
import { AutogenerateError } from './errors.js';
import type { PlannedOperation } from './planned-operation.js';

/** The name of the copy a hand rebuild creates, before it takes the table's name. */
export const REBUILD_COPY_PREFIX = '__godwit_new_';

/**
 * Rebuilds a table whose new shape no column or constraint operation reaches (a primary key or
 * UNIQUE constraint change, a column order change), with SQLite's create-copy-drop-rename
 * procedure spelled out as operations. Views and triggers that name the table are dropped first
 * and recreated last: SQLite refuses to rename a table while a view names a missing one.
 */
export function rebuildByHand(
  from: TableDescription,
  to: TableDescription,
  fromSchema: SchemaDescription,
  objectSql: ReadonlyMap<string, string>,
  reason: string,
  renamed: boolean,
): PlannedOperation[] {
  const table = to.name;
  const copy = `${REBUILD_COPY_PREFIX}${table}`;
  const names = (sql: string) => mentions(sql, table);
  const views = fromSchema.views.filter((v) => names(v.sql));
  const triggers = fromSchema.triggers.filter((t) => t.table === table || names(t.sql));
  if (renamed && views.length + triggers.length > 0) {
    // Their SQL is known as it was before the rename; recreating it after would name what is gone.
    throw new AutogenerateError(
      'unsupported-change',
      `${table} is renamed and rebuilt by hand (${reason}) in one revision while triggers or views name it: ` +
        'autogenerate the rename alone first (a schema with only the rename), then the rest',
    );
  }
  // A generated column is never written: the copy computes it.
  const kept = to.columns.filter((c) => !c.generated && from.columns.some((old) => old.name === c.name)).map((c) => quoteIdent(c.name));
  // Rowids survive even where no column aliases them: other data may hold them.
  if (keepsHiddenRowid(from, to)) kept.unshift('rowid');
  const dropped = from.columns.filter((c) => !to.columns.some((n) => n.name === c.name)).map((c) => c.name);
  const unfilled = to.columns
    .filter((c) => c.notNull && c.default === null && c.generated === null && !from.columns.some((old) => old.name === c.name))
    .map((c) => c.name);
  const { columns, options } = createTableArgs({ ...to, name: copy });

  const operations: PlannedOperation[] = [];
  for (const trigger of triggers) operations.push({ operation: { kind: 'execute', sql: dropTriggerSql(trigger.name) } });
  for (const view of views) operations.push({ operation: { kind: 'execute', sql: dropViewSql(view.name) } });
  operations.push({
    operation: { kind: 'createTable', table: copy, columns, options },
    note: [
      `Rebuilds ${table} by hand: ${reason}.`,
      ...unfilled.map(
        (column) => `${table}.${column} is NOT NULL without a default: the copy fails if ${table} has rows; give it a default.`,
      ),
    ].join('\n'),
  });
  operations.push({ operation: { kind: 'execute', sql: copyRowsSql(copy, table, kept, kept) } });
  if (from.autoincrement && to.autoincrement) {
    for (const sql of carrySequenceSql(copy, table)) operations.push({ operation: { kind: 'execute', sql } });
  }
  operations.push({
    operation: { kind: 'dropTable', table },
    note: dropped.length > 0 ? `Discards every value of ${dropped.map((c) => `${table}.${c}`).join(', ')}.` : undefined,
  });
  operations.push({ operation: { kind: 'renameTable', from: copy, to: table } });
  // As written when known; the description's normalized text means the same.
  for (const view of views) operations.push({ operation: { kind: 'execute', sql: objectSql.get(view.name) ?? view.sql } });
  for (const trigger of triggers) {
    operations.push({ operation: { kind: 'execute', sql: objectSql.get(trigger.name) ?? trigger.sql } });
  }
  return operations.map(({ operation, note }) => (note ? { operation, note } : { operation }));
}

function keepsHiddenRowid(from: TableDescription, to: TableDescription): boolean {
  const named = [...from.columns, ...to.columns].some((c) => ['rowid', '_rowid_', 'oid'].includes(c.name));
  const key = to.columns.filter((c) => c.primaryKey > 0);
  const aliased = key.length === 1 && key[0]!.type === 'INTEGER';
  return !from.withoutRowid && !to.withoutRowid && !named && !aliased;
}
