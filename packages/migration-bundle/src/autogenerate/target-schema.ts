import Database from 'better-sqlite3';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { readSchema } from '../schema/describe.js';
import type { SchemaDescription } from '../schema/description.js';
import { AutogenerateError } from './errors.js';
import { renderDrizzleTables } from './render-drizzle.js';

/** The schema drizzle tables describe, as SQLite itself reads it back from an empty database. */
export function targetSchema(tables: readonly SQLiteTable[]): SchemaDescription {
  const db = new Database(':memory:');
  try {
    for (const statement of renderDrizzleTables(tables)) {
      try {
        db.exec(statement);
      } catch (error) {
        throw new AutogenerateError(
          'schema-render',
          `SQLite rejects the schema: ${(error as Error).message}\n  in: ${statement.split('\n')[0]}`,
        );
      }
    }
    return readSchema(db);
  } finally {
    db.close();
  }
}
