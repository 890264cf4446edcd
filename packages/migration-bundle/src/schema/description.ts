/**
 * A structural, canonical description of a SQLite schema. Identifiers are lower-cased and unquoted;
 * SQL fragments (types, defaults, expressions, trigger and view bodies) are normalized token
 * streams, so whitespace, quoting and keyword case never change it.
 */
export interface ColumnDescription {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  /** 1-based position in the primary key, 0 when not part of it. */
  primaryKey: number;
  collate: string | null;
  /** Generated column expression, or null. */
  generated: { expr: string; stored: boolean } | null;
  /** Column-level CHECK constraints are folded into the table's `checks`. */
}

export interface ForeignKeyDescription {
  name: string | null;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  /** MATCH / DEFERRABLE clauses, normalized; null when none. */
  deferrable: string | null;
}

export interface TableDescription {
  name: string;
  columns: ColumnDescription[];
  autoincrement: boolean;
  /** Options of the primary key beyond its columns (ASC/DESC, COLLATE, ON CONFLICT), normalized; null when none. */
  primaryKeyClause: string | null;
  /** Columns of a table-level UNIQUE keep their COLLATE / DESC terms; `onConflict` is the clause's action. */
  uniques: { name: string | null; columns: string[]; onConflict: string | null }[];
  checks: { name: string | null; expr: string }[];
  foreignKeys: ForeignKeyDescription[];
  strict: boolean;
  withoutRowid: boolean;
}

export interface IndexDescription {
  name: string;
  table: string;
  unique: boolean;
  /** Each key term normalized: a column or expression, with COLLATE and DESC where given. */
  columns: string[];
  where: string | null;
}

export interface TriggerDescription {
  name: string;
  table: string;
  sql: string;
}

export interface ViewDescription {
  name: string;
  sql: string;
}

/** A virtual table (FTS5, R*Tree, ...): its module and arguments are its definition. */
export interface VirtualTableDescription {
  name: string;
  sql: string;
}

export interface SchemaDescription {
  tables: TableDescription[];
  indexes: IndexDescription[];
  triggers: TriggerDescription[];
  views: ViewDescription[];
  virtualTables: VirtualTableDescription[];
}
