import type { SchemaDescription } from '../schema/description.js';

/**
 * What drizzle's sqlite-core cannot state, taken from the head so that no revision ever removes
 * it: STRICT and WITHOUT ROWID on the tables both sides have. Triggers, views and virtual tables
 * stay as they are anyway (they are never compared). Returns the target to diff against and the list of what was
 * left alone, for the user.
 */
export function adoptUnmodeled(target: SchemaDescription, head: SchemaDescription): { target: SchemaDescription; ignored: string[] } {
  const ignored = [
    ...head.triggers.map((t) => `trigger ${t.name} on ${t.table}`),
    ...head.views.map((v) => `view ${v.name}`),
    ...head.virtualTables.map((v) => `virtual table ${v.name}`),
  ];
  const headTables = new Map(head.tables.map((t) => [t.name, t]));
  const tables = target.tables.map((table) => {
    const old = headTables.get(table.name);
    if (!old || (!old.strict && !old.withoutRowid)) return table;
    if (old.strict) ignored.push(`STRICT of table ${table.name}`);
    if (old.withoutRowid) ignored.push(`WITHOUT ROWID of table ${table.name}`);
    return { ...table, strict: old.strict, withoutRowid: old.withoutRowid };
  });
  return { target: { ...target, tables }, ignored };
}

/** What drizzle models of a schema: its tables and indexes, without triggers, views and virtual tables. */
export function modelledByDrizzle(schema: SchemaDescription): SchemaDescription {
  return { ...schema, triggers: [], views: [], virtualTables: [] };
}
