import type { IndexDescription, SchemaDescription, TableDescription, ViewDescription } from '../schema/description.js';
import { createTableArgs } from './column-spec.js';
import { rebuildByHand } from './manual-rebuild.js';
import type { PlannedOperation } from './planned-operation.js';
import { readableSql } from './readable-sql.js';
import { dropViewSql } from '../render/statements.js';
import { readFirst } from './render-views.js';
import { applyRenames, type Renames } from './renames.js';
import { rebuildReason, tableDelta } from './table-delta.js';

/**
 * The operations that take a database from schema `from` to schema `to`, in an order that always
 * applies: dropped and changed views, renames, index and constraint removals, new tables, column
 * changes, constraint additions, dropped tables, new indexes, new and changed views (so no table
 * change ever runs while a view that changes reads the table). Triggers and virtual tables are not
 * compared: drizzle does not model them, and the engine carries them through its rebuilds.
 * `objectSql` holds triggers' and views' SQL as written, by name: `to`'s views are created from it.
 */
export function operationsBetween(
  from: SchemaDescription,
  to: SchemaDescription,
  renames: Renames,
  objectSql: ReadonlyMap<string, string> = new Map(),
): PlannedOperation[] {
  const renameOps: PlannedOperation[] = [];
  for (const [old, name] of renames.tables) renameOps.push({ operation: { kind: 'renameTable', from: old, to: name } });
  for (const [table, columns] of renames.columns) {
    for (const [old, name] of columns) {
      renameOps.push({ operation: { kind: 'renameColumn', table: renames.tables.get(table) ?? table, from: old, to: name } });
    }
  }
  const views = viewDelta(from.views, to.views, objectSql);
  const source = { ...applyRenames(from, renames), views: views.kept };
  const sourceTables = new Map(source.tables.map((t) => [t.name, t]));
  const targetTables = new Map(to.tables.map((t) => [t.name, t]));

  const createTables: PlannedOperation[] = [];
  const dropConstraints: PlannedOperation[] = [];
  const columnChanges: PlannedOperation[] = [];
  const addConstraints: PlannedOperation[] = [];
  const dropTables: PlannedOperation[] = [];
  const rebuilt = new Set<string>();

  for (const table of parentsFirst(to.tables)) {
    const old = sourceTables.get(table.name);
    if (!old) {
      const { columns, options } = createTableArgs(table);
      createTables.push({ operation: { kind: 'createTable', table: table.name, columns, options } });
      continue;
    }
    const reason = rebuildReason(old, table);
    if (reason) {
      rebuilt.add(table.name);
      const oldName = [...renames.tables].find(([, name]) => name === table.name)?.[0] ?? table.name;
      const renamed = oldName !== table.name || renames.columns.has(oldName);
      columnChanges.push(...rebuildByHand(old, table, source, objectSql, reason, renamed));
      continue;
    }
    const delta = tableDelta(old, table);
    dropConstraints.push(...delta.dropConstraints);
    columnChanges.push(...delta.columns);
    addConstraints.push(...delta.addConstraints);
  }
  for (const table of parentsFirst(source.tables).reverse()) {
    if (!targetTables.has(table.name)) {
      dropTables.push({
        operation: { kind: 'dropTable', table: table.name },
        note: `Discards every row of ${table.name} (${table.columns.map((c) => c.name).join(', ')}).`,
      });
    }
  }

  // Indexes of dropped and hand-rebuilt tables go with their table; the target's are created afresh.
  const liveIndexes = source.indexes.filter((i) => targetTables.has(i.table) && !rebuilt.has(i.table));
  const sourceIndexes = new Map(liveIndexes.map((i) => [i.name, i]));
  const targetIndexes = new Map(to.indexes.map((i) => [i.name, i]));
  const dropIndexes = liveIndexes
    .filter((index) => !sameIndex(index, targetIndexes.get(index.name)))
    .map((index): PlannedOperation => ({ operation: { kind: 'dropIndex', name: index.name } }));
  const createIndexes = to.indexes
    .filter((index) => !sameIndex(index, sourceIndexes.get(index.name)))
    .map(
      (index): PlannedOperation => ({
        operation: {
          kind: 'createIndex',
          name: index.name,
          table: index.table,
          columns: index.columns.map(readableSql),
          unique: index.unique,
          ...(index.where === null ? {} : { where: readableSql(index.where) }),
        },
      }),
    );

  return [
    ...views.drop,
    ...renameOps,
    ...dropIndexes,
    ...dropConstraints,
    ...createTables,
    ...columnChanges,
    ...addConstraints,
    ...dropTables,
    ...createIndexes,
    ...views.create,
  ];
}

/** Views dropped or changed (dependents first), created or changed (what they read first), and kept. */
function viewDelta(from: ViewDescription[], to: ViewDescription[], objectSql: ReadonlyMap<string, string>) {
  const sqlOf = (view: ViewDescription) => ({ ...view, sql: objectSql.get(view.name) ?? view.sql });
  const toSql = new Map(to.map((v) => [v.name, v.sql]));
  const fromSql = new Map(from.map((v) => [v.name, v.sql]));
  const kept = from.filter((v) => toSql.get(v.name) === v.sql);
  const drop = readFirst(from.filter((v) => !kept.includes(v)).map(sqlOf))
    .reverse()
    .map((view): PlannedOperation => ({ operation: { kind: 'execute', sql: dropViewSql(view.name) } }));
  const create = readFirst(to.filter((v) => fromSql.get(v.name) !== v.sql).map(sqlOf)).map(
    (view): PlannedOperation => ({ operation: { kind: 'execute', sql: view.sql } }),
  );
  return { kept, drop, create };
}

function sameIndex(a: IndexDescription, b: IndexDescription | undefined): boolean {
  return b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Referenced tables before the tables that reference them (cycles kept in name order): reads top-down. */
function parentsFirst(tables: readonly TableDescription[]): TableDescription[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: TableDescription[] = [];
  const seen = new Set<string>();
  const visit = (table: TableDescription) => {
    if (seen.has(table.name)) return;
    seen.add(table.name);
    for (const fk of table.foreignKeys) {
      const parent = byName.get(fk.refTable);
      if (parent) visit(parent);
    }
    ordered.push(table);
  };
  tables.forEach(visit);
  return ordered;
}
