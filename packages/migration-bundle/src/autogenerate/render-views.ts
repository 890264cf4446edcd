import { SQLiteSyncDialect, getViewConfig, type SQLiteView } from 'drizzle-orm/sqlite-core';
import { mentions } from '../plan/table-rebuild.js';
import type { Casing } from './casing.js';
import { quoteIdent } from '../sqlite/quote.js';

/**
 * Written into every view the schema creates, where SQLite keeps it: a later schema without the
 * view drops it, while a view written by hand (no mark) is left alone. Comments are not part of
 * the schema description, so the view is still exactly drizzle-kit's.
 */
const SCHEMA_VIEW_MARK = '/* drizzle schema view */';

export interface ViewSql {
  /** Lower-cased, as the schema description names it. */
  name: string;
  sql: string;
}

/**
 * The CREATE VIEW statement of each view, its query rendered as drizzle-kit renders it (the same
 * dialect and casing), each after the views it reads.
 */
export function renderDrizzleViews(views: readonly SQLiteView[], casing?: Casing): ViewSql[] {
  const dialect = new SQLiteSyncDialect(casing ? { casing } : {});
  const rendered = views.map((view) => {
    const { name, query } = getViewConfig(view);
    return { name: name.toLowerCase(), sql: `CREATE VIEW ${quoteIdent(name)} AS ${SCHEMA_VIEW_MARK} ${dialect.sqlToQuery(query!).sql}` };
  });
  return readFirst(rendered);
}

/** True when the view was created from a drizzle schema (see SCHEMA_VIEW_MARK). */
export function isSchemaView(sql: string | undefined): boolean {
  return sql !== undefined && sql.includes(SCHEMA_VIEW_MARK);
}

/** Views before the views that read them (cycles, which SQLite refuses anyway, kept in given order). */
export function readFirst<T extends ViewSql>(views: readonly T[]): T[] {
  const ordered: T[] = [];
  const seen = new Set<string>();
  const visit = (view: T) => {
    if (seen.has(view.name)) return;
    seen.add(view.name);
    for (const other of views) if (other !== view && mentions(view.sql, other.name)) visit(other);
    ordered.push(view);
  };
  views.forEach(visit);
  return ordered;
}
