import type { ColumnReference, ColumnSpec, CreateTableOptions, GeneratedColumn } from '../ops/operation.js';
import type { ColumnConstraint, ColumnDef, ReferencesClause } from '../sqlite/table-def.js';
import { tokenize } from '../sqlite/tokenize.js';
import { checkSql, columnPrimaryKeySql, createTableSql, generatedSql, primaryKeySql, renderColumn, renderReferences } from './table.js';

export function referencesClause(ref: ColumnReference): ReferencesClause {
  return {
    table: ref.table,
    columns: [ref.column],
    onDelete: ref.onDelete ?? 'NO ACTION',
    onUpdate: ref.onUpdate ?? 'NO ACTION',
    extra: '',
  };
}

/** DEFAULT takes a literal, a signed number or a parenthesized expression; anything else gets parentheses. */
export function defaultClauseValue(value: string): string {
  const tokens = tokenize(value);
  const single = tokens.length === 1 && tokens[0]!.type !== 'punct';
  const signed = tokens.length === 2 && (tokens[0]!.text === '-' || tokens[0]!.text === '+') && tokens[1]!.type === 'number';
  const wrapped = tokens[0]?.text === '(' && closesAtEnd(tokens.map((t) => t.text));
  return single || signed || wrapped ? value.trim() : `(${value.trim()})`;
}

function closesAtEnd(texts: string[]): boolean {
  let depth = 0;
  for (let i = 0; i < texts.length; i++) {
    if (texts[i] === '(') depth++;
    else if (texts[i] === ')' && --depth === 0) return i === texts.length - 1;
  }
  return false;
}

export function notNullConstraint(): ColumnConstraint {
  return { kind: 'notNull', name: null, sql: 'NOT NULL' };
}

export function defaultConstraint(value: string): ColumnConstraint {
  const clause = defaultClauseValue(value);
  return { kind: 'default', name: null, sql: `DEFAULT ${clause}`, value: clause };
}

export function collateConstraint(collation: string): ColumnConstraint {
  return { kind: 'collate', name: null, sql: `COLLATE ${collation}`, collation };
}

export function generatedConstraint({ expr, stored }: GeneratedColumn): ColumnConstraint {
  return { kind: 'generated', name: null, sql: generatedSql(expr, Boolean(stored)), expr, stored: Boolean(stored) };
}

/** The column definition a spec describes; `inlinePrimaryKey` is false for composite keys. */
export function columnFromSpec(spec: ColumnSpec, inlinePrimaryKey = true): ColumnDef {
  const constraints: ColumnConstraint[] = [];
  if (spec.primaryKey && inlinePrimaryKey) {
    constraints.push({
      kind: 'primaryKey',
      name: null,
      sql: columnPrimaryKeySql(Boolean(spec.autoincrement)),
      autoincrement: Boolean(spec.autoincrement),
    });
  }
  if (spec.generated) constraints.push(generatedConstraint(spec.generated));
  if (spec.notNull) constraints.push(notNullConstraint());
  if (spec.unique) constraints.push({ kind: 'unique', name: null, sql: 'UNIQUE' });
  if (spec.default !== undefined) constraints.push(defaultConstraint(spec.default));
  if (spec.collate) constraints.push(collateConstraint(spec.collate));
  if (spec.check) constraints.push({ kind: 'check', name: null, sql: checkSql(spec.check), expr: spec.check });
  if (spec.references) {
    const references = referencesClause(spec.references);
    constraints.push({ kind: 'references', name: null, sql: renderReferences(references), references });
  }
  return { name: spec.name, type: spec.type, constraints };
}

/** `op.createTable`'s statement. */
export function renderCreateTableFromSpec(table: string, columns: ColumnSpec[], options: CreateTableOptions): string {
  const keyColumns = columns.filter((c) => c.primaryKey);
  const composite = keyColumns.length > 1;
  const lines = columns.map((spec) => renderColumn(columnFromSpec(spec, !composite)));
  if (composite) lines.push(primaryKeySql(keyColumns.map((c) => c.name)));
  lines.push(...(options.constraints ?? []));
  return createTableSql(table, lines, options);
}
