import Database from 'better-sqlite3';
import { readSchema } from '../schema/describe.js';
import { probeSql } from '../render/statements.js';
import type { SchemaDescription } from '../schema/description.js';
import type { Casing } from './casing.js';
import { AutogenerateError } from './errors.js';
import type { DrizzleSchema } from './load-schema.js';
import { renderDrizzleTables } from './render-drizzle.js';
import { renderDrizzleViews } from './render-views.js';
import { spellingIn, type Spelling } from './spelling.js';

/** The schema a drizzle module describes, and what the description cannot carry. */
export interface Target {
  /** As SQLite itself reads it back from an empty database. */
  schema: SchemaDescription;
  /** Each view's CREATE VIEW as the revision writes it, by lower-cased name. */
  viewSql: Map<string, string>;
  /** Lower-cased names of `.existing()` views: left alone. */
  existingViews: string[];
  /** Table, column and index names as the schema spells them. */
  spelling: Spelling;
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
    for (const view of views) refuseBrokenView(db, view.name, casing);
    return {
      schema: readSchema(db),
      viewSql: new Map(views.map((v) => [v.name, v.sql])),
      existingViews: drizzle.existingViews,
      spelling: spellingIn(db),
    };
  } finally {
    db.close();
  }
}

/**
 * SQLite checks a view's columns only when it is read: a view that cannot be read is refused here,
 * not by the planner after a whole revision was worked out. Under `casing`, a view built with the
 * query builder selects property keys: drizzle renders its query before any casing is known.
 */
function refuseBrokenView(db: Database.Database, name: string, casing: Casing | undefined): void {
  try {
    db.prepare(probeSql(name)).all();
  } catch (error) {
    const why = casing
      ? ' (drizzle builds a query-builder view before it knows the casing: name the columns it reads, or write the view with sql`...`)'
      : '';
    throw new AutogenerateError('schema-render', `view ${name} cannot be read: ${(error as Error).message}${why}`);
  }
}
