import Database, { type Database as DatabaseType } from 'better-sqlite3';
import { applicationSchemaRows } from './schema-objects.js';

const TYPE_ORDER: Record<string, number> = { table: 0, index: 1, view: 2, trigger: 3 };

/**
 * An in-memory database with the same application schema and no rows. DDL planned on it is the
 * DDL the real database needs, because SQL that changes a schema depends only on the schema.
 */
export function cloneSchema(source: DatabaseType): DatabaseType {
  const clone = new Database(':memory:');
  const statements = applicationSchemaRows(source).sort((a, b) => (TYPE_ORDER[a.type] ?? 9) - (TYPE_ORDER[b.type] ?? 9));
  for (const row of statements) clone.exec(row.sql);
  return clone;
}
