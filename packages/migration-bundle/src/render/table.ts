import type { ColumnDef, ReferencesClause, TableDef } from '../sqlite/table-def.js';
import { quoteIdent } from '../sqlite/quote.js';

/** A constraint's text, after `CONSTRAINT "name"` when it has a name. */
export function renderConstraint(constraint: { name: string | null; sql: string }): string {
  return constraint.name === null ? constraint.sql : `CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.sql}`;
}

export function renderColumn(column: ColumnDef): string {
  const parts = [quoteIdent(column.name)];
  if (column.type) parts.push(column.type);
  for (const constraint of column.constraints) parts.push(renderConstraint(constraint));
  return parts.join(' ');
}

/** Renders `CREATE TABLE` for the definition, under `name` when given. */
export function renderCreateTable(table: TableDef, name = table.name): string {
  return createTableSql(name, [...table.columns.map(renderColumn), ...table.constraints.map(renderConstraint)], table);
}

/** `CREATE TABLE "name" (` one column or table constraint a line `)`, then its table options. */
export function createTableSql(name: string, definitions: readonly string[], options: { withoutRowid?: boolean; strict?: boolean }): string {
  const suffix = [options.withoutRowid ? 'WITHOUT ROWID' : '', options.strict ? 'STRICT' : ''].filter(Boolean).join(', ');
  return `CREATE TABLE ${quoteIdent(name)} (\n  ${definitions.join(',\n  ')}\n)${suffix ? ' ' + suffix : ''}`;
}

export function renderReferences(ref: ReferencesClause): string {
  const columns = ref.columns.length ? ` ${columnList(ref.columns)}` : '';
  const actions = [
    ref.onDelete !== 'NO ACTION' ? ` ON DELETE ${ref.onDelete}` : '',
    ref.onUpdate !== 'NO ACTION' ? ` ON UPDATE ${ref.onUpdate}` : '',
    ref.extra ? ` ${ref.extra}` : '',
  ].join('');
  return `REFERENCES ${quoteIdent(ref.table)}${columns}${actions}`;
}

/** A table-level `FOREIGN KEY (columns) REFERENCES ...`. */
export function foreignKeySql(columns: readonly string[], references: ReferencesClause): string {
  return `FOREIGN KEY ${columnList(columns)} ${renderReferences(references)}`;
}

/** A column-level primary key: `PRIMARY KEY`, `AUTOINCREMENT` after it when asked. */
export function columnPrimaryKeySql(autoincrement: boolean): string {
  return autoincrement ? 'PRIMARY KEY AUTOINCREMENT' : 'PRIMARY KEY';
}

/** A table-level `PRIMARY KEY (columns)`. */
export function primaryKeySql(columns: readonly string[]): string {
  return `PRIMARY KEY ${columnList(columns)}`;
}

/** A table-level `UNIQUE (terms)`; each term as rendered (a quoted column, or see keyTerm). */
export function uniqueSql(terms: readonly string[], onConflict = ''): string {
  return `UNIQUE (${terms.join(', ')})${onConflict ? ` ${onConflict}` : ''}`;
}

/** A generated column's clause: VIRTUAL (computed when read) unless `stored`. */
export function generatedSql(expr: string, stored: boolean): string {
  return `GENERATED ALWAYS AS (${expr}) ${stored ? 'STORED' : 'VIRTUAL'}`;
}

export function checkSql(expr: string): string {
  return `CHECK (${expr})`;
}

/** An index or key term: a plain column name is quoted; an expression or `col DESC` is kept as written. */
export function keyTerm(term: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(term) ? quoteIdent(term) : term;
}

/** `("a", "b")`: column names, quoted, in parentheses. */
export function columnList(columns: readonly string[]): string {
  return `(${columns.map(quoteIdent).join(', ')})`;
}
