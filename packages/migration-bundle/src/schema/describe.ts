import type { Database } from 'better-sqlite3';
import { readSchemaObjects, type SchemaObjects } from '../sqlite/schema-objects.js';
import type { ColumnDef, ReferencesClause, TableDef } from '../sqlite/table-def.js';
import { splitTopLevel } from '../sqlite/parse-create-table.js';
import { normalizeSql, tokenize } from '../sqlite/tokenize.js';
import type {
  ColumnDescription,
  ForeignKeyDescription,
  SchemaDescription,
  TableDescription,
} from './description.js';

const lower = (name: string) => name.toLowerCase();
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const byJson = <T>(a: T, b: T) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

export function emptySchema(): SchemaDescription {
  return { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] };
}

/** The live schema of a database, without SQLite's and Godwit's own objects. */
export function readSchema(db: Database): SchemaDescription {
  return describeSchema(readSchemaObjects(db));
}

export function describeSchema(objects: SchemaObjects): SchemaDescription {
  return {
    tables: objects.tables.map(({ def }) => describeTable(def)).sort(byName),
    indexes: objects.indexes
      .map(({ def }) => ({
        name: lower(def.name),
        table: lower(def.table),
        unique: def.unique,
        columns: def.terms.map((term) => normalizeSql(term)),
        where: def.where === null ? null : normalizeSql(def.where),
      }))
      .sort(byName),
    triggers: objects.triggers
      .map((t) => ({ name: lower(t.name), table: lower(t.table), sql: normalizeSql(t.sql) }))
      .sort(byName),
    views: objects.views.map((v) => ({ name: lower(v.name), sql: normalizeSql(v.sql) })).sort(byName),
    virtualTables: objects.virtualTables.map((v) => ({ name: lower(v.name), sql: normalizeSql(v.sql) })).sort(byName),
  };
}

function describeTable(def: TableDef): TableDescription {
  const tablePk = def.constraints.find((c) => c.kind === 'primaryKey');
  const pkColumns = tablePk?.kind === 'primaryKey' ? tablePk.columns.map(lower) : [];
  let primaryKeyClause = tablePk ? keyListOptions(tablePk.sql) : null;
  const uniques: TableDescription['uniques'] = [];
  const checks: TableDescription['checks'] = [];
  const foreignKeys: ForeignKeyDescription[] = [];
  let autoincrement = false;
  const columns = def.columns.map((column) => {
    for (const constraint of column.constraints) {
      const name = constraint.name === null ? null : lower(constraint.name);
      if (constraint.kind === 'unique') {
        uniques.push({ name, columns: [lower(column.name)], onConflict: clauseRest(constraint.sql, 1) });
      } else if (constraint.kind === 'primaryKey') primaryKeyClause = clauseRest(constraint.sql, 2);
      else if (constraint.kind === 'check') checks.push({ name, expr: normalizeSql(constraint.expr) });
      else if (constraint.kind === 'references')
        foreignKeys.push(describeReferences(name, [column.name], constraint.references));
      if (constraint.kind === 'primaryKey' && constraint.autoincrement) autoincrement = true;
    }
    return describeColumn(column, pkColumns);
  });
  for (const constraint of def.constraints) {
    const name = constraint.name === null ? null : lower(constraint.name);
    if (constraint.kind === 'unique') {
      const { terms, rest } = keyList(constraint.sql);
      uniques.push({ name, columns: terms, onConflict: rest });
    }
    else if (constraint.kind === 'check') checks.push({ name, expr: normalizeSql(constraint.expr) });
    else if (constraint.kind === 'foreignKey')
      foreignKeys.push(describeReferences(name, constraint.columns, constraint.references));
  }
  return {
    name: lower(def.name),
    columns,
    autoincrement,
    primaryKeyClause,
    uniques: uniques.sort(byJson),
    checks: checks.sort(byJson),
    foreignKeys: foreignKeys.sort(byJson),
    strict: def.strict,
    withoutRowid: def.withoutRowid,
  };
}

function describeColumn(column: ColumnDef, tablePkColumns: string[]): ColumnDescription {
  let notNull = false;
  let defaultValue: string | null = null;
  let primaryKey = tablePkColumns.indexOf(lower(column.name)) + 1;
  let collate: string | null = null;
  let generated: ColumnDescription['generated'] = null;
  for (const constraint of column.constraints) {
    if (constraint.kind === 'notNull') notNull = true;
    else if (constraint.kind === 'primaryKey') primaryKey = 1;
    else if (constraint.kind === 'default') {
      const value = normalizeSql(constraint.value);
      defaultValue = value === 'null' ? null : value;
    } else if (constraint.kind === 'collate') collate = constraint.collation.toUpperCase();
    else if (constraint.kind === 'generated')
      generated = { expr: normalizeSql(constraint.expr), stored: constraint.stored };
  }
  return {
    name: lower(column.name),
    type: normalizeSql(column.type).toUpperCase(),
    notNull,
    default: defaultValue,
    primaryKey,
    collate,
    generated,
  };
}

function describeReferences(name: string | null, columns: string[], ref: ReferencesClause): ForeignKeyDescription {
  return {
    name,
    columns: columns.map(lower),
    refTable: lower(ref.table),
    refColumns: ref.columns.map(lower),
    onDelete: ref.onDelete,
    onUpdate: ref.onUpdate,
    deferrable: ref.extra ? normalizeSql(ref.extra) : null,
  };
}

/** What follows the first `skip` words of a constraint (`PRIMARY KEY`, `UNIQUE`), without AUTOINCREMENT; null when nothing. */
function clauseRest(sql: string, skip: number): string | null {
  const rest = tokenize(sql)
    .slice(skip)
    .filter((t) => !(t.type === 'word' && t.text.toLowerCase() === 'autoincrement'));
  return rest.length ? normalizeSql(rest) : null;
}

/** The normalized terms of a `PRIMARY KEY (...)` / `UNIQUE (...)` list and what follows it. */
function keyList(sql: string): { terms: string[]; rest: string | null } {
  const open = sql.indexOf('(');
  let depth = 0;
  let close = open;
  for (const token of tokenize(sql.slice(open))) {
    if (token.type !== 'punct') continue;
    if (token.text === '(') depth++;
    else if (token.text === ')' && --depth === 0) {
      close = open + token.start;
      break;
    }
  }
  const rest = normalizeSql(sql.slice(close + 1));
  return { terms: splitTopLevel(sql.slice(open + 1, close)).map((term) => normalizeSql(term)), rest: rest || null };
}

/** A table-level primary key's options: null when it lists plain columns and nothing else. */
function keyListOptions(sql: string): string | null {
  const { terms, rest } = keyList(sql);
  const plain = terms.every((term) => tokenize(term).length === 1);
  return plain && rest === null ? null : `(${terms.join(', ')})${rest ? ` ${rest}` : ''}`;
}
