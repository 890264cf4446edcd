import type { ColumnDescription, ForeignKeyDescription, TableDescription } from '../schema/description.js';
import { addColumnOptions, foreignKeyActions, generatedSpec, primaryKeyColumns } from './column-spec.js';
import type { PlannedOperation } from './planned-operation.js';
import { readableSql } from './readable-sql.js';

/** What a constraint is known by in the diff: its name, or all of it when unnamed. */
const signature = (value: unknown) => JSON.stringify(value);
const fkKey = (fk: ForeignKeyDescription) => fk.name ?? signature({ ...fk, name: null });
const checkKey = (check: { name: string | null; expr: string }) => check.name ?? signature(check);

/**
 * Why the two versions of a table cannot be reached with column and constraint operations (which
 * the engine plans natively or with its own rebuild), or null when they can.
 */
export function rebuildReason(from: TableDescription, to: TableDescription): string | null {
  // op.addPrimaryKey states plain key columns only: a key with DESC, COLLATE or ON CONFLICT is re-created with the table.
  if (from.primaryKeyClause !== to.primaryKeyClause) {
    return `primary key options ${from.primaryKeyClause ?? '(none)'} -> ${to.primaryKeyClause ?? '(none)'}`;
  }
  for (const flag of ['strict', 'withoutRowid'] as const) {
    if (from[flag] !== to[flag]) return `${flag} ${from[flag]} -> ${to[flag]}`;
  }
  if (signature(from.uniques) !== signature(to.uniques)) return 'UNIQUE constraints change';
  const kept = new Set(to.columns.map((c) => c.name));
  const before = new Set(from.columns.map((c) => c.name));
  // op.addColumn puts a new column anywhere (before/after); kept columns that change places need a copy.
  const keptOrder = (columns: ColumnDescription[], other: Set<string>) => signature(columns.filter((c) => other.has(c.name)).map((c) => c.name));
  if (keptOrder(from.columns, kept) !== keptOrder(to.columns, before)) return 'column order changes';
  // op.addForeignKey has no MATCH or DEFERRABLE: a key that has them is re-created with the table.
  const added = to.foreignKeys.filter((fk) => !from.foreignKeys.some((old) => signature(old) === signature(fk)));
  if (added.some((fk) => fk.deferrable !== null)) return 'a FOREIGN KEY with MATCH or DEFERRABLE is added';
  return null;
}

/**
 * `op.addColumn` for the column `to` has at `index`: appended when only new columns follow it (they
 * are added after it, in order), else placed after the column before it (kept, or added just
 * before), or, first, before the first kept column.
 */
function addedColumn(table: TableDescription, index: number, from: TableDescription): PlannedOperation {
  const column = table.columns[index]!;
  const isOld = (c: ColumnDescription) => from.columns.some((old) => old.name === c.name);
  const later = table.columns.slice(index + 1);
  const position = !later.some(isOld) ? {} : index > 0 ? { after: table.columns[index - 1]!.name } : { before: later.find(isOld)!.name };
  const options = addColumnOptions(column);
  const note =
    options.notNull && options.default === undefined
      ? `${table.name}.${column.name} is NOT NULL without a default: this fails if ${table.name} has rows; give it a default.`
      : undefined;
  const operation = { kind: 'addColumn' as const, table: table.name, column: { name: column.name, type: readableSql(column.type), ...options }, ...position };
  return note ? { operation, note } : { operation };
}

/** Constraint removals, then column changes, then constraint additions, for one kept table. */
export function tableDelta(
  from: TableDescription,
  to: TableDescription,
): { dropConstraints: PlannedOperation[]; columns: PlannedOperation[]; addConstraints: PlannedOperation[] } {
  const table = to.name;
  const dropConstraints: PlannedOperation[] = [];
  const columns: PlannedOperation[] = [];
  const addConstraints: PlannedOperation[] = [];

  const toChecks = new Map(to.checks.map((c) => [checkKey(c), c]));
  const fromChecks = new Map(from.checks.map((c) => [checkKey(c), c]));
  for (const [key, check] of fromChecks) {
    if (toChecks.get(key)?.expr !== check.expr) {
      const which = check.name === null ? { expr: readableSql(check.expr) } : { name: check.name };
      dropConstraints.push({ operation: { kind: 'dropCheck', table, ...which } });
    }
  }
  const keyChanges = signature(primaryKeyColumns(from)) !== signature(primaryKeyColumns(to)) || from.autoincrement !== to.autoincrement;
  if (keyChanges && primaryKeyColumns(from).length > 0) dropConstraints.push({ operation: { kind: 'dropPrimaryKey', table } });
  const toFks = new Map(to.foreignKeys.map((fk) => [fkKey(fk), fk]));
  const fromFks = new Map(from.foreignKeys.map((fk) => [fkKey(fk), fk]));
  for (const [key, fk] of fromFks) {
    if (signature(toFks.get(key)) !== signature(fk)) {
      const which = fk.name === null ? { columns: fk.columns, refTable: fk.refTable } : { name: fk.name };
      dropConstraints.push({ operation: { kind: 'dropForeignKey', table, ...which } });
    }
  }

  for (const [index, column] of to.columns.entries()) {
    const old = from.columns.find((c) => c.name === column.name);
    if (!old) {
      columns.push(addedColumn(to, index, from));
      continue;
    }
    const changes: Extract<PlannedOperation['operation'], { kind: 'alterColumn' }>['changes'] = {};
    const notes: string[] = [];
    if (old.type !== column.type) {
      changes.type = readableSql(column.type);
      notes.push(
        `Changes ${table}.${column.name} from ${old.type || '(no type)'} to ${column.type || '(no type)'}: values are copied unchanged (no CAST); add a \`using\` expression to convert them.`,
      );
    }
    if (old.notNull !== column.notNull) {
      changes.notNull = column.notNull;
      if (column.notNull) {
        notes.push(`${table}.${column.name} becomes NOT NULL: the copy fails on a row holding NULL there; add \`using: 'coalesce(${column.name}, ...)'\` to fill them.`);
      }
    }
    if (old.default !== column.default) changes.default = column.default === null ? null : readableSql(column.default);
    if (old.collate !== column.collate) changes.collate = column.collate;
    if (signature(old.generated) !== signature(column.generated)) {
      changes.generated = column.generated === null ? null : generatedSpec(column.generated);
      if (column.generated === null) notes.push(`${table}.${column.name} is no longer generated: it keeps the values it computed.`);
    }
    if (Object.keys(changes).length > 0) {
      columns.push({
        operation: { kind: 'alterColumn', table, column: column.name, changes },
        ...(notes.length > 0 ? { note: notes.join('\n') } : {}),
      });
    }
  }
  for (const column of from.columns) {
    if (!to.columns.some((c) => c.name === column.name)) {
      const operation = { kind: 'dropColumn' as const, table, column: column.name };
      // A generated column's values are computed from the others: nothing is lost with it.
      columns.push(column.generated ? { operation } : { operation, note: `Discards every value of ${table}.${column.name}.` });
    }
  }

  if (keyChanges && primaryKeyColumns(to).length > 0) {
    const columns = primaryKeyColumns(to);
    const operation = { kind: 'addPrimaryKey' as const, table, name: null, columns, ...(to.autoincrement ? { autoincrement: true } : {}) };
    const sameColumns = signature(columns) === signature(primaryKeyColumns(from));
    addConstraints.push(sameColumns ? { operation } : { operation, note: `The copy fails if two rows of ${table} share a key (${columns.join(', ')}).` });
  }
  for (const [key, check] of toChecks) {
    if (fromChecks.get(key)?.expr !== check.expr) {
      addConstraints.push({
        operation: { kind: 'addCheck', table, name: check.name, expr: readableSql(check.expr) },
        note: `The copy fails if a row of ${table} violates CHECK (${readableSql(check.expr)}).`,
      });
    }
  }
  for (const [key, fk] of toFks) {
    if (signature(fromFks.get(key)) !== signature(fk)) {
      addConstraints.push({
        operation: {
          kind: 'addForeignKey',
          table,
          name: fk.name,
          columns: fk.columns,
          refTable: fk.refTable,
          refColumns: fk.refColumns,
          ...foreignKeyActions(fk),
        },
      });
    }
  }
  return { dropConstraints, columns, addConstraints };
}
