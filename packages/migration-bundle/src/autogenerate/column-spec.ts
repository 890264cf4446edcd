import type { AddColumnOptions, ColumnSpec, CreateTableOptions, ForeignKeyAction, GeneratedColumn } from '../ops/operation.js';
import type { ColumnDescription, ForeignKeyDescription, TableDescription } from '../schema/description.js';
import { checkSql, foreignKeySql, keyTerm, primaryKeySql, renderConstraint, uniqueSql } from '../render/table.js';
import { AutogenerateError } from './errors.js';
import { readableSql } from './readable-sql.js';

/** The `op.createTable` arguments that recreate a described table. */
export function createTableArgs(table: TableDescription): { columns: ColumnSpec[]; options: CreateTableOptions } {
  const primaryKey = primaryKeyColumns(table);
  const clause = table.primaryKeyClause;
  if (clause !== null && !clause.startsWith('(')) {
    throw new AutogenerateError(
      'unsupported-change',
      `${table.name} has a column PRIMARY KEY with options (${clause}), which op.createTable cannot state; write this part of the revision with op.execute`,
    );
  }
  const columns = table.columns.map((column) => {
    const spec: ColumnSpec = { name: column.name, type: readableSql(column.type), ...addColumnOptions(column) };
    if (clause === null && primaryKey.length === 1 && primaryKey[0] === column.name) {
      spec.primaryKey = true;
      if (table.autoincrement) spec.autoincrement = true;
    }
    return spec;
  });
  const constraints: string[] = [];
  // A key with options (DESC, COLLATE, ON CONFLICT) keeps them: the description holds its whole list.
  if (clause !== null) constraints.push(`PRIMARY KEY ${readableSql(clause)}`);
  else if (primaryKey.length > 1) constraints.push(primaryKeySql(primaryKey));
  for (const unique of table.uniques) {
    const terms = unique.columns.map((term) => keyTerm(readableSql(term)));
    constraints.push(renderConstraint({ name: unique.name, sql: uniqueSql(terms, unique.onConflict ?? '') }));
  }
  for (const check of table.checks) constraints.push(renderConstraint({ name: check.name, sql: checkSql(readableSql(check.expr)) }));
  for (const fk of table.foreignKeys) constraints.push(foreignKeyClause(fk));
  const options: CreateTableOptions = {};
  if (constraints.length > 0) options.constraints = constraints;
  if (table.strict) options.strict = true;
  if (table.withoutRowid) options.withoutRowid = true;
  return { columns, options };
}

/** The `op.addColumn` options (and `createTable` column keys) that a described column needs. */
export function addColumnOptions(column: ColumnDescription): AddColumnOptions {
  const options: AddColumnOptions = {};
  if (column.generated) options.generated = generatedSpec(column.generated);
  if (column.notNull) options.notNull = true;
  if (column.default !== null) options.default = readableSql(column.default);
  if (column.collate !== null) options.collate = column.collate;
  return options;
}

export function generatedSpec(generated: NonNullable<ColumnDescription['generated']>): GeneratedColumn {
  return generated.stored ? { expr: readableSql(generated.expr), stored: true } : { expr: readableSql(generated.expr) };
}

export function primaryKeyColumns(table: TableDescription): string[] {
  return table.columns
    .filter((c) => c.primaryKey > 0)
    .sort((a, b) => a.primaryKey - b.primaryKey)
    .map((c) => c.name);
}

export function foreignKeyActions(fk: ForeignKeyDescription): { onDelete?: ForeignKeyAction; onUpdate?: ForeignKeyAction } {
  const actions: { onDelete?: ForeignKeyAction; onUpdate?: ForeignKeyAction } = {};
  const onDelete = action(fk.onDelete);
  const onUpdate = action(fk.onUpdate);
  if (onDelete) actions.onDelete = onDelete;
  if (onUpdate) actions.onUpdate = onUpdate;
  return actions;
}

function foreignKeyClause(fk: ForeignKeyDescription): string {
  const { onDelete = 'NO ACTION', onUpdate = 'NO ACTION' } = foreignKeyActions(fk);
  const references = { table: fk.refTable, columns: fk.refColumns, onDelete, onUpdate, extra: fk.deferrable ?? '' };
  return renderConstraint({ name: fk.name, sql: foreignKeySql(fk.columns, references) });
}

/** NO ACTION is SQLite's default: leaving it out keeps generated revisions short. */
function action(text: string): ForeignKeyAction | undefined {
  const upper = text.toUpperCase().replace(/\s+/g, ' ').trim();
  return upper === 'NO ACTION' || upper === '' ? undefined : (upper as ForeignKeyAction);
}
