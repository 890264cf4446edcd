import type { SchemaDescription } from '../schema/description.js';

/**
 * Drop-and-add pairs that may be renames, each as the `--rename` flag that would make it one.
 * Never acted upon: a guessed rename that is wrong moves data into the wrong column.
 * A table pair qualifies when at least half of the dropped table's columns reappear in the new one;
 * a column pair when both sit in the same table with the same type.
 */
export function renameHints(from: SchemaDescription, to: SchemaDescription): string[] {
  const hints: string[] = [];
  const fromTables = new Map(from.tables.map((t) => [t.name, t]));
  const toTables = new Map(to.tables.map((t) => [t.name, t]));
  const dropped = from.tables.filter((t) => !toTables.has(t.name));
  const added = to.tables.filter((t) => !fromTables.has(t.name));
  for (const old of dropped) {
    for (const candidate of added) {
      const names = new Set(candidate.columns.map((c) => c.name));
      const shared = old.columns.filter((c) => names.has(c.name)).length;
      if (shared * 2 >= old.columns.length) {
        hints.push(`table ${old.name} is dropped and ${candidate.name} added: if it is a rename, pass --rename ${old.name}=${candidate.name}`);
      }
    }
  }
  for (const table of to.tables) {
    const old = fromTables.get(table.name);
    if (!old) continue;
    const newColumns = table.columns.filter((c) => !old.columns.some((o) => o.name === c.name));
    for (const column of old.columns.filter((c) => !table.columns.some((n) => n.name === c.name))) {
      for (const candidate of newColumns.filter((c) => c.type === column.type)) {
        hints.push(
          `column ${table.name}.${column.name} is dropped and ${table.name}.${candidate.name} added: ` +
            `if it is a rename, pass --rename ${table.name}.${column.name}=${candidate.name}`,
        );
      }
    }
  }
  return hints;
}
