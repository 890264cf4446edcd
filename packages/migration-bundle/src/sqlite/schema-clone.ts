import Database, { type Database as DatabaseType } from 'better-sqlite3';
import { applicationSchemaRows } from './schema-objects.js';

const TYPE_ORDER: Record<string, number> = { table: 0, index: 1, view: 2, trigger: 3 };

/**
 * An empty in-memory database to plan or replay migrations on, with foreign keys off as in every
 * real migration transaction (better-sqlite3 turns them on by default). With them on, a rebuild's
 * `DROP TABLE` would check rows a seed-data revision left behind, and any statement on a table
 * whose foreign key names a table outside the schema would fail with "no such table".
 */
export function openPlanningDatabase(): DatabaseType {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = OFF');
  return db;
}

/**
 * An in-memory database with the same application schema and no rows. DDL planned on it is the
 * DDL the real database needs, because SQL that changes a schema depends only on the schema.
 */
export function cloneSchema(source: DatabaseType): DatabaseType {
  const clone = openPlanningDatabase();
  const statements = applicationSchemaRows(source).sort((a, b) => (TYPE_ORDER[a.type] ?? 9) - (TYPE_ORDER[b.type] ?? 9));
  for (const row of statements) clone.exec(row.sql);
  return clone;
}
