/** Foreign-key actions as SQLite spells them. */
export type ForeignKeyAction = 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION';

export interface ColumnReference {
  table: string;
  column: string;
  onDelete?: ForeignKeyAction;
  onUpdate?: ForeignKeyAction;
}

/** A generated column: `expr` is SQL over the row's other columns; VIRTUAL (computed when read) unless `stored`. */
export interface GeneratedColumn {
  expr: string;
  stored?: boolean;
}

/** A column as `op.createTable` and `op.addColumn` describe it; `type` and `default` are SQL text. */
export interface ColumnSpec {
  name: string;
  type: string;
  notNull?: boolean;
  primaryKey?: boolean;
  autoincrement?: boolean;
  unique?: boolean;
  default?: string;
  collate?: string;
  check?: string;
  references?: ColumnReference;
  /** `GENERATED ALWAYS AS (expr) VIRTUAL|STORED`; such a column takes no default and is never written. */
  generated?: GeneratedColumn;
}

export interface CreateTableOptions {
  /** Table constraints as SQL text, e.g. `UNIQUE (a, b)` or `CONSTRAINT positive CHECK (n > 0)`. */
  constraints?: string[];
  strict?: boolean;
  withoutRowid?: boolean;
}

/** Where `op.addColumn` puts the column: last unless `before` or `after` names a column of the table. */
export interface ColumnPosition {
  before?: string;
  after?: string;
}

/**
 * `primaryKey` makes the new column the table's primary key, or appends it to the key the table
 * has; both by the rebuild.
 */
export type AddColumnOptions = Omit<ColumnSpec, 'name' | 'type'> & ColumnPosition;

export interface PrimaryKeyOptions {
  /** One INTEGER column only: `INTEGER PRIMARY KEY AUTOINCREMENT`. */
  autoincrement?: boolean;
}

export interface AlterColumnChanges {
  type?: string;
  notNull?: boolean;
  /** SQL text; `null` drops the default. */
  default?: string | null;
  /** `null` removes the collation (the column compares as BINARY again). */
  collate?: string | null;
  /** SQL expression over the old row computing the new value during the copy. */
  using?: string;
  /**
   * A new generation expression (or kind) for the column; `null` makes a generated column a plain
   * one holding the values it computed.
   */
  generated?: GeneratedColumn | null;
}

export interface IndexOptions {
  unique?: boolean;
  where?: string;
}

/** An unnamed foreign key, known by its columns (and, when several share them, the table it references). */
export interface ForeignKeyMatch {
  columns: string[];
  refTable?: string;
}

/** An unnamed CHECK, known by its expression (compared token for token: spacing, quoting and keyword case aside). */
export interface CheckMatch {
  expr: string;
}

/** A UNIQUE constraint known by its columns (in any order), table- or column-level. */
export interface UniqueMatch {
  columns: string[];
}

export interface ForeignKeyOptions {
  onDelete?: ForeignKeyAction;
  onUpdate?: ForeignKeyAction;
}

/** One recorded operation: plain data, safe to encode in a bundle and replay anywhere. */
export type Operation =
  | { kind: 'execute'; sql: string }
  | { kind: 'createTable'; table: string; columns: ColumnSpec[]; options: CreateTableOptions }
  | { kind: 'dropTable'; table: string }
  | { kind: 'renameTable'; from: string; to: string }
  /** At most one of `before` and `after`: a positioned column is added by the rebuild. */
  | { kind: 'addColumn'; table: string; column: ColumnSpec; before?: string; after?: string }
  | { kind: 'dropColumn'; table: string; column: string }
  | { kind: 'renameColumn'; table: string; from: string; to: string }
  | { kind: 'alterColumn'; table: string; column: string; changes: AlterColumnChanges }
  | { kind: 'createIndex'; name: string; table: string; columns: string[]; unique: boolean; where?: string }
  | { kind: 'dropIndex'; name: string }
  /** `name: null` adds an unnamed constraint (as ORMs and hand-written DDL leave them). */
  | { kind: 'addCheck'; table: string; name: string | null; expr: string }
  /** Exactly one of `name` and `expr`. */
  | { kind: 'dropCheck'; table: string; name?: string; expr?: string }
  | { kind: 'addUnique'; table: string; name: string | null; columns: string[] }
  /** Exactly one of `name` and `columns`. */
  | { kind: 'dropUnique'; table: string; name?: string; columns?: string[] }
  | {
      kind: 'addForeignKey';
      table: string;
      name: string | null;
      columns: string[];
      refTable: string;
      refColumns: string[];
      onDelete?: ForeignKeyAction;
      onUpdate?: ForeignKeyAction;
    }
  /** Exactly one of `name` and `columns`; `refTable` only with `columns`. */
  | { kind: 'dropForeignKey'; table: string; name?: string; columns?: string[]; refTable?: string }
  /** `name: null` adds an unnamed key; `autoincrement` only on one INTEGER column. */
  | { kind: 'addPrimaryKey'; table: string; name: string | null; columns: string[]; autoincrement?: boolean }
  /** A table has one primary key: `name`, when given, must be its name. */
  | { kind: 'dropPrimaryKey'; table: string; name?: string };

export type OperationKind = Operation['kind'];

/** The `op` facade handed to a revision's `up` and `down`. */
export interface Operations {
  execute(sql: string): void;
  createTable(name: string, columns: ColumnSpec[], options?: CreateTableOptions): void;
  dropTable(name: string): void;
  renameTable(from: string, to: string): void;
  addColumn(table: string, name: string, type: string, options?: AddColumnOptions): void;
  dropColumn(table: string, name: string): void;
  renameColumn(table: string, from: string, to: string): void;
  alterColumn(table: string, name: string, changes: AlterColumnChanges): void;
  createIndex(name: string, table: string, columns: string[], options?: IndexOptions): void;
  dropIndex(name: string): void;
  addCheck(table: string, name: string | null, expr: string): void;
  dropCheck(table: string, constraint: string | CheckMatch): void;
  addUnique(table: string, name: string | null, columns: string[]): void;
  dropUnique(table: string, constraint: string | UniqueMatch): void;
  addForeignKey(
    table: string,
    name: string | null,
    columns: string[],
    refTable: string,
    refColumns: string[],
    options?: ForeignKeyOptions,
  ): void;
  dropForeignKey(table: string, constraint: string | ForeignKeyMatch): void;
  addPrimaryKey(table: string, name: string | null, columns: string[], options?: PrimaryKeyOptions): void;
  dropPrimaryKey(table: string, name?: string): void;
}
