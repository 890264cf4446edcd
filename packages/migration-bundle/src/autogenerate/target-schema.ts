import Database from 'better-sqlite3';
import { readSchema } from '../schema/describe.js';
import type { SchemaDescription } from '../schema/description.js';
import type { Casing } from './casing.js';
import { AutogenerateError } from './errors.js';
import type { DrizzleSchema } from './load-schema.js';
import { renderDrizzleTables } from './render-drizzle.js';
import { renderDrizzleViews } from './render-views.js';

/** The schema a drizzle module describes, and what the description cannot carry. */
export interface Target {
  /** As SQLite itself reads it back from an empty database. */
  schema: SchemaDescription;
  /** Each view's CREATE VIEW as the revision writes it, by lower-cased name. */
  viewSql: Map<string, string>;
  /** Lower-cased names of `.existing()` views: left alone. */
  existingViews: string[];
}

/** Renders the drizzle tables and views into an empty in-memory database and reads them back. */
export function targetSchema(drizzle: DrizzleSchema, casing?: Casing): Target {
  const views = renderDrizzleViews(drizzle.views, casing);
  const db = new Database(':memory:');
  try {
    for (const statement of [...renderDrizzleTables(drizzle.tables, casing), ...views.map((v) => v.sql)]) {
      try {
        db.exec(statement);
      } catch (error) {
        throw new AutogenerateError(
          'schema-render',
          `SQLite rejects the schema: ${(error as Error).message}\n  in: ${statement.split('\n')[0]}`,
        );
      }
    }
    return {
      schema: readSchema(db),
      viewSql: new Map(views.map((v) => [v.name, v.sql])),
      existingViews: drizzle.existingViews,
    };
  } finally {
    db.close();
  }
}
