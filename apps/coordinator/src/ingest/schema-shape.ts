/**
 * Structural check of a SchemaDescription received from a device, so that drift diffs never run
 * on a shape the differ does not expect. Field names and types follow
 * packages/migration-bundle/src/schema/description.ts; schema-shape.test.ts fails when they part.
 */
import type { SchemaDescription } from '../bundles/engine.js';

const MAX_OBJECTS = 10_000;

type Check = (v: unknown) => boolean;

const str: Check = (v) => typeof v === 'string' && v.length <= 100_000;
const bool: Check = (v) => typeof v === 'boolean';
const int: Check = (v) => Number.isSafeInteger(v);
const orNull = (c: Check): Check => (v) => v === null || c(v);
const listOf = (c: Check): Check => (v) => Array.isArray(v) && v.length <= MAX_OBJECTS && v.every(c);
const shape = (fields: Record<string, Check>): Check => (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return Object.keys(o).every((k) => k in fields) && Object.entries(fields).every(([k, c]) => c(o[k]));
};

const column = shape({
  name: str,
  type: str,
  notNull: bool,
  default: orNull(str),
  primaryKey: int,
  collate: orNull(str),
  generated: orNull(shape({ expr: str, stored: bool })),
});

const table = shape({
  name: str,
  columns: listOf(column),
  autoincrement: bool,
  primaryKeyClause: orNull(str),
  uniques: listOf(shape({ name: orNull(str), columns: listOf(str), onConflict: orNull(str) })),
  checks: listOf(shape({ name: orNull(str), expr: str })),
  foreignKeys: listOf(
    shape({
      name: orNull(str),
      columns: listOf(str),
      refTable: str,
      refColumns: listOf(str),
      onDelete: str,
      onUpdate: str,
      deferrable: orNull(str),
    }),
  ),
  strict: bool,
  withoutRowid: bool,
});

const schema = shape({
  tables: listOf(table),
  indexes: listOf(shape({ name: str, table: str, unique: bool, columns: listOf(str), where: orNull(str) })),
  triggers: listOf(shape({ name: str, table: str, sql: str })),
  views: listOf(shape({ name: str, sql: str })),
  virtualTables: listOf(shape({ name: str, sql: str })),
});

export function isSchemaDescription(value: unknown): value is SchemaDescription {
  return schema(value);
}
