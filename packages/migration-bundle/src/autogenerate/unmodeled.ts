import type { SchemaDescription } from '../schema/description.js';
import { isSchemaView } from './render-views.js';
import type { Target } from './target-schema.js';

/** The target to diff the head against, what it leaves alone, and the views it does not compare. */
export interface AdoptedTarget {
  target: SchemaDescription;
  /** For the user: what the revision leaves as the head has it. */
  ignored: string[];
  /** Lower-cased names of the head's views the schema does not manage. */
  viewsLeftAlone: Set<string>;
}

/**
 * What the drizzle schema does not state, taken from the head so that no revision ever removes
 * it: STRICT and WITHOUT ROWID on the tables both sides have, and the views it does not manage
 * (written by hand, or declared `.existing()`). A view an earlier schema created and this one no
 * longer declares is not taken over: it is dropped. Triggers and virtual tables stay as they are
 * anyway (they are never compared).
 */
export function adoptUnmodeled(drizzle: Target, head: SchemaDescription, headSql: ReadonlyMap<string, string>): AdoptedTarget {
  const declared = new Set(drizzle.schema.views.map((v) => v.name));
  const leftAlone = head.views.filter(
    (v) => !declared.has(v.name) && (drizzle.existingViews.includes(v.name) || !isSchemaView(headSql.get(v.name))),
  );
  const ignored = [
    ...head.triggers.map((t) => `trigger ${t.name} on ${t.table}`),
    ...leftAlone.map((v) => `view ${v.name}`),
    ...head.virtualTables.map((v) => `virtual table ${v.name}`),
  ];
  const headTables = new Map(head.tables.map((t) => [t.name, t]));
  const tables = drizzle.schema.tables.map((table) => {
    const old = headTables.get(table.name);
    if (!old || (!old.strict && !old.withoutRowid)) return table;
    if (old.strict) ignored.push(`STRICT of table ${table.name}`);
    if (old.withoutRowid) ignored.push(`WITHOUT ROWID of table ${table.name}`);
    return { ...table, strict: old.strict, withoutRowid: old.withoutRowid };
  });
  return {
    target: { ...drizzle.schema, tables, views: [...drizzle.schema.views, ...leftAlone] },
    ignored,
    viewsLeftAlone: new Set(leftAlone.map((v) => v.name)),
  };
}

/** What the drizzle schema states of a schema: tables, indexes and its views, without triggers, virtual tables and the views `leftAlone`. */
export function modelledByDrizzle(schema: SchemaDescription, leftAlone: ReadonlySet<string>): SchemaDescription {
  return { ...schema, triggers: [], views: schema.views.filter((v) => !leftAlone.has(v.name)), virtualTables: [] };
}
