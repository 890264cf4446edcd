import type { SchemaDescription, TableDescription } from '../schema/description.js';
import { createTableArgs } from './column-spec.js';
import type { PlannedOperation } from './planned-operation.js';

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
  reason: string,
): PlannedOperation[] {
  const table = to.name;
  const copy = `__godwit_new_${table}`;
  const names = (sql: string) => mentions(sql, table);
  const views = fromSchema.views.filter((v) => names(v.sql));
  const triggers = fromSchema.triggers.filter((t) => t.table === table || names(t.sql));
  const kept = to.columns.filter((c) => from.columns.some((old) => old.name === c.name)).map((c) => quote(c.name));
  const dropped = from.columns.filter((c) => !to.columns.some((n) => n.name === c.name)).map((c) => c.name);
  const { columns, options } = createTableArgs({ ...to, name: copy });

  const operations: PlannedOperation[] = [];
  for (const trigger of triggers) operations.push({ operation: { kind: 'execute', sql: `DROP TRIGGER ${quote(trigger.name)}` } });
  for (const view of views) operations.push({ operation: { kind: 'execute', sql: `DROP VIEW ${quote(view.name)}` } });
  operations.push({
    operation: { kind: 'createTable', table: copy, columns, options },
    note: `Rebuilds ${table} by hand: ${reason}.`,
  });
  operations.push({
    operation: {
      kind: 'execute',
      sql: `INSERT INTO ${quote(copy)} (${kept.join(', ')}) SELECT ${kept.join(', ')} FROM ${quote(table)}`,
    },
  });
  operations.push({
    operation: { kind: 'dropTable', table },
    note: dropped.length > 0 ? `Discards every value of ${dropped.map((c) => `${table}.${c}`).join(', ')}.` : undefined,
  });
  operations.push({ operation: { kind: 'renameTable', from: copy, to: table } });
  for (const view of views) operations.push({ operation: { kind: 'execute', sql: view.sql } });
  for (const trigger of triggers) operations.push({ operation: { kind: 'execute', sql: trigger.sql } });
  return operations.map(({ operation, note }) => (note ? { operation, note } : { operation }));
}

function mentions(sql: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9_$])"?${escaped}"?($|[^a-z0-9_$])`).test(sql);
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
