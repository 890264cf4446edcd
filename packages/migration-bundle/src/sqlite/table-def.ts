/** A foreign-key clause: `REFERENCES table (columns) ON DELETE ... ON UPDATE ... [MATCH ...] [DEFERRABLE ...]`. */
export interface ReferencesClause {
  table: string;
  columns: string[];
  onDelete: string;
  onUpdate: string;
  /** MATCH and DEFERRABLE parts, as written. */
  extra: string;
}

/** One column constraint; `sql` is its exact text (without the `CONSTRAINT name` prefix). */
export type ColumnConstraint = { name: string | null; sql: string } & (
  | { kind: 'primaryKey'; autoincrement: boolean }
  | { kind: 'notNull' }
  | { kind: 'null' }
  | { kind: 'unique' }
  | { kind: 'check'; expr: string }
  | { kind: 'default'; value: string }
  | { kind: 'collate'; collation: string }
  | { kind: 'references'; references: ReferencesClause }
  | { kind: 'generated'; expr: string; stored: boolean }
);

export interface ColumnDef {
  name: string;
  /** The declared type as written, '' when none. */
  type: string;
  constraints: ColumnConstraint[];
}

/** One table constraint; `sql` is its exact text (without the `CONSTRAINT name` prefix). */
export type TableConstraint = { name: string | null; sql: string } & (
  | { kind: 'primaryKey'; columns: string[] }
  | { kind: 'unique'; columns: string[] }
  | { kind: 'check'; expr: string }
  | { kind: 'foreignKey'; columns: string[]; references: ReferencesClause }
);

/** A parsed `CREATE TABLE`, precise enough to render an equivalent table under another name. */
export interface TableDef {
  name: string;
  columns: ColumnDef[];
  constraints: TableConstraint[];
  withoutRowid: boolean;
  strict: boolean;
}

export function findColumn(table: TableDef, name: string): ColumnDef | undefined {
  const lower = name.toLowerCase();
  return table.columns.find((c) => c.name.toLowerCase() === lower);
}

export function isGenerated(column: ColumnDef): boolean {
  return column.constraints.some((c) => c.kind === 'generated');
}

export function hasAutoincrement(table: TableDef): boolean {
  return table.columns.some((c) => c.constraints.some((k) => k.kind === 'primaryKey' && k.autoincrement));
}

/** True when the table has an INTEGER PRIMARY KEY column (an alias of the rowid). */
export function rowidAlias(table: TableDef): ColumnDef | undefined {
  if (table.withoutRowid) return undefined;
  const pkColumns = table.columns.filter((c) => c.constraints.some((k) => k.kind === 'primaryKey'));
  const tablePk = table.constraints.find((c) => c.kind === 'primaryKey');
  const candidates =
    pkColumns.length === 1 && !tablePk
      ? pkColumns
      : !pkColumns.length && tablePk?.kind === 'primaryKey' && tablePk.columns.length === 1
        ? table.columns.filter((c) => c.name.toLowerCase() === tablePk.columns[0]!.toLowerCase())
        : [];
  const column = candidates[0];
  // SQLite's quirk: a column-level `INTEGER PRIMARY KEY DESC` is not an alias of the rowid.
  const descending = column?.constraints.some((k) => k.kind === 'primaryKey' && /\bDESC\b/i.test(k.sql));
  return column && !descending && column.type.toUpperCase() === 'INTEGER' ? column : undefined;
}
