import type { AlterColumnChanges, ColumnPosition, ColumnSpec, Operation } from '../ops/operation.js';
import { collateConstraint, columnFromSpec, defaultConstraint, generatedConstraint, notNullConstraint } from '../render/column-spec.js';
import {
  carrySequenceSql,
  commentLines,
  copyRowsSql,
  dropTableSql,
  legacyAlterTableSql,
  newRowidKeySql,
  renameTableSql,
} from '../render/statements.js';
import {
  checkSql,
  columnPrimaryKeySql,
  foreignKeySql,
  primaryKeySql,
  renderConstraint,
  renderCreateTable,
  renderReferences,
  uniqueSql,
} from '../render/table.js';
import { quoteIdent } from '../sqlite/quote.js';
import {
  findColumn,
  hasAutoincrement,
  isGenerated,
  rowidAlias,
  type ColumnConstraint,
  type ColumnDef,
  type ReferencesClause,
  type TableConstraint,
  type TableDef,
} from '../sqlite/table-def.js';
import { normalizeSql, renameIdentifier, tokenize, unqualify } from '../sqlite/tokenize.js';
import { PlanError } from './errors.js';
import type { PlannedStatement } from './plan-types.js';

export const REBUILD_PREFIX = '_godwit_new_';

const REBUILD_KINDS = [
  'addColumn',
  'dropColumn',
  'alterColumn',
  'addCheck',
  'dropCheck',
  'addUnique',
  'dropUnique',
  'addForeignKey',
  'dropForeignKey',
  'addPrimaryKey',
  'dropPrimaryKey',
] as const;

type RebuildOperation = Extract<Operation, { kind: (typeof REBUILD_KINDS)[number] }>;

type AnyConstraint = TableConstraint | ColumnConstraint;

const ROWID_NAMES = ['rowid', '_rowid_', 'oid'];

/**
 * SQLite's generalized ALTER TABLE for one table: every change absorbed here shares one copy.
 * `sources` maps each column of the new table to the SQL that computes it from the old row.
 */
export class TableRebuild {
  private readonly target: TableDef;
  private readonly sources = new Map<string, string>();
  /** `CREATE INDEX` statements on the table met while the copy was pending: built once, after it. */
  private readonly deferredIndexes: { name: string; sql: string }[] = [];
  /** Table constraints dropped along with the one column they used: said in the plan's SQL. */
  private readonly droppedWithColumns: string[] = [];

  constructor(private readonly original: TableDef) {
    this.target = structuredClone(original);
    for (const column of original.columns) {
      if (!isGenerated(column)) this.sources.set(column.name.toLowerCase(), quoteIdent(column.name));
    }
    this.unqualifyOwnReferences();
  }

  /**
   * The copy is created under a temporary name, where `t.qty` in a CHECK of table `t` would not
   * resolve; inside a table's own constraints the qualifier means nothing else, so it goes.
   */
  private unqualifyOwnReferences(): void {
    const name = this.original.name;
    const rewrite = <T extends { sql: string; kind: string }>(constraint: T): T => {
      if (constraint.kind !== 'check' && constraint.kind !== 'generated') return constraint;
      const expr = unqualify((constraint as unknown as { expr: string }).expr, name);
      return { ...constraint, expr, sql: unqualify(constraint.sql, name) };
    };
    this.target.constraints = this.target.constraints.map(rewrite);
    for (const column of this.target.columns) column.constraints = column.constraints.map(rewrite);
  }

  deferIndex(name: string, sql: string): void {
    this.deferredIndexes.push({ name, sql });
  }

  /** Forgets a deferred index; false when the index is not one of them. */
  dropDeferredIndex(name: string): boolean {
    const at = this.deferredIndexes.findIndex((index) => index.name.toLowerCase() === name.toLowerCase());
    if (at >= 0) this.deferredIndexes.splice(at, 1);
    return at >= 0;
  }

  /** Columns of the old table the copy leaves behind, generated ones included (a trigger may read them). */
  droppedColumns(): string[] {
    return this.original.columns.filter((column) => !findColumn(this.target, column.name)).map((column) => column.name);
  }

  /**
   * The table was renamed natively while its copy was pending (SQLite rewrote every other
   * object); the copy follows under the new name.
   */
  renameTable(to: string): void {
    const from = this.original.name;
    this.original.name = to;
    this.target.name = to;
    this.retargetReferences(from, to);
  }

  /**
   * A column renamed while the copy is pending. Returns true when the old table has the column:
   * the caller then renames it there natively (so SQLite rewrites indexes, triggers and views) and
   * the copy reads it under its new name.
   */
  renameColumn(from: string, to: string): boolean {
    const column = this.requireColumn(from);
    if (findColumn(this.target, to)) throw new PlanError(`table ${this.table} already has a column ${to}`);
    const oldName = column.name;
    column.name = to;
    const rename = (sql: string) => renameIdentifier(sql, oldName, to);
    const renameIn = <T extends { sql: string; kind: string }>(constraint: T): T => {
      if (constraint.kind === 'check' || constraint.kind === 'generated') {
        return { ...constraint, sql: rename(constraint.sql), expr: rename((constraint as unknown as { expr: string }).expr) };
      }
      if (constraint.kind === 'primaryKey' || constraint.kind === 'unique') {
        const columns = (constraint as unknown as { columns?: string[] }).columns;
        return columns ? { ...constraint, sql: rename(constraint.sql), columns: columns.map((c) => (c.toLowerCase() === oldName.toLowerCase() ? to : c)) } : constraint;
      }
      if (constraint.kind === 'foreignKey') {
        const fk = constraint as unknown as Extract<TableConstraint, { kind: 'foreignKey' }>;
        const columns = fk.columns.map((c) => (c.toLowerCase() === oldName.toLowerCase() ? to : c));
        return { ...constraint, columns, sql: foreignKeySql(columns, fk.references) };
      }
      return constraint;
    };
    this.target.constraints = this.target.constraints.map(renameIn);
    for (const c of this.target.columns) c.constraints = c.constraints.map(renameIn);
    this.retargetReferencedColumn(this.original.name, oldName, to);
    const inOld = findColumn(this.original, oldName);
    if (!inOld) return false;
    inOld.name = to;
    const source = this.sources.get(oldName.toLowerCase());
    this.sources.delete(oldName.toLowerCase());
    for (const [key, expr] of this.sources) this.sources.set(key, rename(expr));
    if (source !== undefined) this.sources.set(to.toLowerCase(), rename(source));
    return true;
  }

  /** Foreign keys of the copy that name table `from` now name `to`. */
  retargetReferences(from: string, to: string): void {
    this.mapReferences((ref) => (ref.table.toLowerCase() === from.toLowerCase() ? { ...ref, table: to } : ref));
  }

  /** Foreign keys of the copy that name `table(from)` now name `table(to)`. */
  retargetReferencedColumn(table: string, from: string, to: string): void {
    this.mapReferences((ref) =>
      ref.table.toLowerCase() === table.toLowerCase()
        ? { ...ref, columns: ref.columns.map((c) => (c.toLowerCase() === from.toLowerCase() ? to : c)) }
        : ref,
    );
  }

  private mapReferences(change: (ref: ReferencesClause) => ReferencesClause): void {
    this.target.constraints = this.target.constraints.map((constraint) => {
      if (constraint.kind !== 'foreignKey') return constraint;
      const references = change(constraint.references);
      return { ...constraint, references, sql: foreignKeySql(constraint.columns, references) };
    });
    for (const column of this.target.columns) {
      column.constraints = column.constraints.map((constraint) => {
        if (constraint.kind !== 'references') return constraint;
        const references = change(constraint.references);
        return { ...constraint, references, sql: renderReferences(references) };
      });
    }
  }

  get table(): string {
    return this.original.name;
  }

  absorb(op: RebuildOperation): void {
    switch (op.kind) {
      case 'addColumn':
        return this.addColumn(op.column, op);
      case 'dropColumn':
        return this.dropColumn(op.column);
      case 'alterColumn':
        return this.alterColumn(op.column, op.changes);
      case 'addCheck':
        this.target.constraints.push({ kind: 'check', name: op.name, sql: checkSql(op.expr), expr: op.expr });
        return;
      case 'dropCheck': {
        const expr = op.expr === undefined ? '' : normalizeSql(unqualify(op.expr, this.table));
        return this.dropConstraint(op.name, 'CHECK constraint', op.name === undefined ? `CHECK (${op.expr})` : undefined, (c) =>
          c.kind === 'check' && normalizeSql(c.expr) === expr,
        );
      }
      case 'addUnique': {
        for (const column of op.columns) this.requireColumn(column);
        this.target.constraints.push({ kind: 'unique', name: op.name, columns: op.columns, sql: uniqueSql(op.columns.map(quoteIdent)) });
        return;
      }
      case 'dropUnique': {
        const wanted = sameColumns(op.columns ?? []);
        return this.dropConstraint(op.name, 'UNIQUE constraint', op.columns && `UNIQUE (${op.columns.join(', ')})`, (c, column) =>
          c.kind === 'unique' && wanted('columns' in c ? c.columns : [column!.name]),
        );
      }
      case 'addForeignKey': {
        const references = {
          table: op.refTable,
          columns: op.refColumns,
          onDelete: op.onDelete ?? 'NO ACTION',
          onUpdate: op.onUpdate ?? 'NO ACTION',
          extra: '',
        };
        for (const column of op.columns) this.requireColumn(column);
        this.target.constraints.push({
          kind: 'foreignKey',
          name: op.name,
          columns: op.columns,
          references,
          sql: foreignKeySql(op.columns, references),
        });
        return;
      }
      case 'addPrimaryKey':
        return this.addPrimaryKey(op.name, op.columns, Boolean(op.autoincrement));
      case 'dropPrimaryKey':
        return this.dropPrimaryKey(op.name);
      case 'dropForeignKey': {
        const wanted = sameColumns(op.columns ?? [], true);
        const refTable = op.refTable?.toLowerCase();
        const described = op.columns && `FOREIGN KEY (${op.columns.join(', ')})${op.refTable ? ` REFERENCES ${op.refTable}` : ''}`;
        return this.dropConstraint(op.name, 'foreign key', described, (c, column) => {
          if (c.kind !== 'foreignKey' && c.kind !== 'references') return false;
          const columns = c.kind === 'foreignKey' ? c.columns : [column!.name];
          return wanted(columns) && (refTable === undefined || c.references.table.toLowerCase() === refTable);
        });
      }
    }
  }

  private requireColumn(name: string): ColumnDef {
    const column = findColumn(this.target, name);
    if (!column) throw new PlanError(`table ${this.table} has no column ${name}`);
    return column;
  }

  private addColumn(spec: ColumnSpec, { before, after }: ColumnPosition): void {
    if (findColumn(this.target, spec.name)) throw new PlanError(`table ${this.table} already has a column ${spec.name}`);
    const anchor = before ?? after;
    const at = anchor === undefined ? this.target.columns.length : this.target.columns.indexOf(this.requireColumn(anchor)) + (after ? 1 : 0);
    this.target.columns.splice(at, 0, columnFromSpec(spec, false));
    if (spec.primaryKey) this.joinPrimaryKey(spec.name, Boolean(spec.autoincrement));
  }

  /** The table's primary key (table- or column-level): its columns and name; null when it has none. */
  private primaryKey(def: TableDef = this.target): { columns: string[]; name: string | null } | null {
    const tableKey = def.constraints.find((c) => c.kind === 'primaryKey');
    if (tableKey?.kind === 'primaryKey') return { columns: tableKey.columns, name: tableKey.name };
    for (const column of def.columns) {
      const key = column.constraints.find((c) => c.kind === 'primaryKey');
      if (key) return { columns: [column.name], name: key.name };
    }
    return null;
  }

  /** True when the copy's primary key is not the old table's (other columns, or none). */
  keyChanged(): boolean {
    const columns = (def: TableDef) => (this.primaryKey(def)?.columns ?? []).map((c) => c.toLowerCase()).join('\0');
    return columns(this.original) !== columns(this.target);
  }

  private dropPrimaryKey(name?: string): void {
    const key = this.primaryKey();
    if (!key) throw new PlanError(`table ${this.table} has no primary key`);
    if (name !== undefined && key.name?.toLowerCase() !== name.toLowerCase()) {
      throw new PlanError(`the primary key of table ${this.table} is ${key.name === null ? 'unnamed' : `named ${key.name}`}, not ${name}`);
    }
    this.target.constraints = this.target.constraints.filter((c) => c.kind !== 'primaryKey');
    for (const column of this.target.columns) column.constraints = column.constraints.filter((c) => c.kind !== 'primaryKey');
  }

  private addPrimaryKey(name: string | null, columns: string[], autoincrement: boolean): void {
    const key = this.primaryKey();
    if (key) throw new PlanError(`table ${this.table} already has a primary key (${key.columns.join(', ')}); drop it first (op.dropPrimaryKey)`);
    const defs = columns.map((c) => this.requireColumn(c));
    const generated = defs.find(isGenerated);
    if (generated) throw new PlanError(`generated column ${this.table}.${generated.name} cannot be part of the primary key`);
    if (autoincrement) {
      const [column] = defs;
      if (defs.length !== 1 || column!.type.toUpperCase() !== 'INTEGER' || this.target.withoutRowid) {
        throw new PlanError(`AUTOINCREMENT needs a primary key of one INTEGER column in a table with rowids (${this.table})`);
      }
      column!.constraints.unshift({ kind: 'primaryKey', name, sql: columnPrimaryKeySql(true), autoincrement: true });
      return;
    }
    const names = defs.map((d) => d.name);
    this.target.constraints.unshift({ kind: 'primaryKey', name, columns: names, sql: primaryKeySql(names) });
  }

  /** A column added as part of the primary key: the key, or the last column of the key the table has. */
  private joinPrimaryKey(column: string, autoincrement: boolean): void {
    const key = this.primaryKey();
    if (!key) return this.addPrimaryKey(null, [column], autoincrement);
    if (autoincrement) throw new PlanError(`table ${this.table} has a primary key (${key.columns.join(', ')}); AUTOINCREMENT takes a key of one column`);
    this.dropPrimaryKey();
    this.addPrimaryKey(key.name, [...key.columns, column], false);
  }

  /**
   * A table constraint that uses only this column goes with it (as Alembic's batch mode does), and
   * the plan says so; one that also uses other columns is refused, named.
   */
  private dropColumn(name: string): void {
    const column = this.requireColumn(name);
    const lower = column.name.toLowerCase();
    const others = this.target.columns.filter((c) => c !== column).map((c) => c.name.toLowerCase());
    const kept: TableConstraint[] = [];
    for (const constraint of this.target.constraints) {
      const used = constraintColumns(constraint, [lower, ...others]);
      if (!used.includes(lower)) {
        kept.push(constraint);
      } else if (used.length === 1) {
        // One comment line each, however the constraint was written.
        this.droppedWithColumns.push(`${column.name}: ${renderConstraint(constraint).replace(/\s+/g, ' ')}`);
      } else {
        throw new PlanError(
          `cannot drop column ${this.table}.${column.name}: table constraint ${constraint.name ?? constraint.sql} also uses ${used.filter((c) => c !== lower).join(', ')}; drop that first`,
        );
      }
    }
    this.target.constraints = kept;
    for (const other of this.target.columns) {
      const generated = other.constraints.find((c) => c.kind === 'generated');
      if (other !== column && generated?.kind === 'generated' && mentions(generated.expr, lower)) {
        throw new PlanError(`cannot drop column ${this.table}.${column.name}: generated column ${other.name} uses it`);
      }
    }
    this.target.columns = this.target.columns.filter((c) => c !== column);
    this.sources.delete(lower);
  }

  private alterColumn(name: string, changes: AlterColumnChanges): void {
    const column = this.requireColumn(name);
    if (changes.type !== undefined) column.type = changes.type;
    if (changes.notNull === true && !column.constraints.some((c) => c.kind === 'notNull')) {
      column.constraints.push(notNullConstraint());
    } else if (changes.notNull === false) {
      column.constraints = column.constraints.filter((c) => c.kind !== 'notNull');
    }
    if (changes.default !== undefined) {
      column.constraints = column.constraints.filter((c) => c.kind !== 'default');
      if (changes.default !== null) column.constraints.push(defaultConstraint(changes.default));
    }
    if (changes.collate !== undefined) {
      column.constraints = column.constraints.filter((c) => c.kind !== 'collate');
      if (changes.collate !== null) column.constraints.push(collateConstraint(changes.collate));
    }
    if (changes.generated !== undefined) {
      const wasGenerated = isGenerated(column);
      column.constraints = column.constraints.filter((c) => c.kind !== 'generated');
      if (changes.generated !== null) {
        column.constraints.push(generatedConstraint(changes.generated));
        this.sources.delete(column.name.toLowerCase());
      } else if (wasGenerated && findColumn(this.original, column.name)) {
        // A generated column made plain keeps the values it computed: the old table still computes them.
        this.sources.set(column.name.toLowerCase(), quoteIdent(column.name));
      }
    }
    if (changes.using !== undefined) {
      if (isGenerated(column)) throw new PlanError(`column ${this.table}.${column.name} is generated; it cannot take "using"`);
      this.sources.set(column.name.toLowerCase(), `(${changes.using})`);
    }
  }

  /**
   * Drops the constraint named `name` (table- or column-level), or else the one `matches` picks:
   * `described` says what was asked for. An unnamed match must be exactly one constraint.
   */
  private dropConstraint(
    name: string | undefined,
    label: string,
    described: string | undefined,
    matches: (constraint: AnyConstraint, column?: ColumnDef) => boolean,
  ): void {
    const lower = name?.toLowerCase();
    const isMatch = (c: AnyConstraint, column?: ColumnDef) =>
      lower === undefined ? matches(c, column) : c.name?.toLowerCase() === lower && matchesKind(c, label);
    const found: string[] = [];
    this.target.constraints = this.target.constraints.filter((c) => !(isMatch(c) && found.push(renderConstraint(c))));
    for (const column of this.target.columns) {
      column.constraints = column.constraints.filter((c) => !(isMatch(c, column) && found.push(`${column.name} ${renderConstraint(c)}`)));
    }
    if (!found.length) throw new PlanError(`table ${this.table} has no ${label} ${name !== undefined ? `named ${name}` : `like ${described}`}`);
    if (name === undefined && found.length > 1) {
      throw new PlanError(`${described} matches ${found.length} constraints of table ${this.table} (${found.join('; ')}); drop it by name`);
    }
  }

  /**
   * The statements of the 12-step procedure. Indexes and triggers of the table are re-created from
   * their stored SQL; views and other tables' triggers keep working because the swap renames with
   * legacy_alter_table on, which leaves every other object's SQL untouched.
   */
  render(indexSql: string[], triggerSql: string[]): PlannedStatement[] {
    const table = this.original.name;
    const temp = REBUILD_PREFIX + table;
    if (this.target.withoutRowid && !this.primaryKey()) throw new PlanError(`a WITHOUT ROWID table needs a primary key: ${table} would have none`);
    const rowid = this.original.withoutRowid || this.target.withoutRowid ? null : this.rowidName();
    const alias = rowidAlias(this.target);
    const oldAlias = rowidAlias(this.original);
    // A column that becomes the rowid's alias takes the old rowid where it has no value of its own
    // (and no other row holds that number: newRowidKeySql), rather than SQLite numbering the row anew:
    // a new key column is the old rowids.
    const newAlias = alias && rowid && !(oldAlias && findColumn(this.original, alias.name) === oldAlias) ? alias : undefined;
    const insertColumns: string[] = [];
    const selectExprs: string[] = [];
    for (const column of this.target.columns) {
      const own = this.sources.get(column.name.toLowerCase());
      const source = column === newAlias ? (own === undefined ? rowid! : newRowidKeySql(own, rowid!, table)) : own;
      if (source !== undefined && !isGenerated(column)) {
        insertColumns.push(quoteIdent(column.name));
        selectExprs.push(source);
      }
    }
    // Rowids survive: other data may hold them, even where no column aliases them.
    if (rowid && !alias) {
      insertColumns.unshift(rowid);
      selectExprs.unshift(rowid);
    }
    const said = commentLines(this.droppedWithColumns.map((line) => `dropped with column ${line}`));
    const statements: PlannedStatement[] = [
      { sql: said + renderCreateTable(this.target, temp), rebuildStep: 'create-new' },
      {
        sql: copyRowsSql(temp, table, insertColumns, selectExprs),
        copy: { table, rowid: this.original.withoutRowid ? null : this.rowidName(), recomputed: this.recomputedColumns() },
      },
    ];
    if (hasAutoincrement(this.original) && hasAutoincrement(this.target)) {
      // Keep the AUTOINCREMENT high-water mark: it may exceed the largest rowid still present.
      statements.push(...carrySequenceSql(temp, table).map((sql) => ({ sql })));
    }
    statements.push(
      { sql: dropTableSql(table), rebuildStep: 'drop-old' },
      { sql: legacyAlterTableSql(true) },
      { sql: renameTableSql(temp, table) },
      { sql: legacyAlterTableSql(false) },
      ...indexSql.map((sql) => ({ sql })),
      ...this.deferredIndexes.map(({ sql }) => ({ sql })),
      ...triggerSql.map((sql) => ({ sql })),
    );
    statements[statements.length - 1]!.rebuildDone = table;
    return statements;
  }

  /**
   * Columns whose stored values may differ from the old table's: computed by `using`, new, of
   * another declared type (affinity) or collation, generated differently or from such a column.
   * Every column when the table gains or loses its rowid, which changes every index's entries.
   */
  private recomputedColumns(): string[] {
    if (this.original.withoutRowid !== this.target.withoutRowid) return this.target.columns.map((c) => c.name);
    const changed = new Set<string>();
    for (const column of this.target.columns) {
      const old = findColumn(this.original, column.name);
      const copiedAsIs = isGenerated(column)
        ? old !== undefined && generatedSql(old) === generatedSql(column)
        : this.sources.get(column.name.toLowerCase()) === quoteIdent(old?.name ?? '');
      if (!old || !copiedAsIs || normalizeSql(old.type) !== normalizeSql(column.type) || collationOf(old) !== collationOf(column)) {
        changed.add(column.name.toLowerCase());
      }
    }
    let grew = true;
    while (grew) {
      grew = false;
      for (const column of this.target.columns.filter(isGenerated)) {
        const lower = column.name.toLowerCase();
        if (!changed.has(lower) && [...changed].some((name) => mentions(generatedSql(column), name))) {
          changed.add(lower);
          grew = true;
        }
      }
    }
    return this.target.columns.filter((c) => changed.has(c.name.toLowerCase())).map((c) => c.name);
  }

  /** A name for the rowid not shadowed by a column, or null when every alias is taken. */
  private rowidName(): string | null {
    const taken = new Set([...this.original.columns, ...this.target.columns].map((c) => c.name.toLowerCase()));
    return ROWID_NAMES.find((name) => !taken.has(name)) ?? null;
  }
}

function generatedSql(column: ColumnDef): string {
  return normalizeSql(column.constraints.find((c) => c.kind === 'generated')?.sql ?? '');
}

function collationOf(column: ColumnDef): string {
  const collate = column.constraints.find((c) => c.kind === 'collate');
  return collate?.kind === 'collate' ? collate.collation.toLowerCase() : 'binary';
}

/** True when an SQL expression names the identifier (case-insensitive, quoted or not). */
export function mentions(sql: string, lowerName: string): boolean {
  return tokenize(sql).some((t) => {
    if (t.type === 'word') return t.text.toLowerCase() === lowerName;
    if (t.type === 'quoted') return t.text.slice(1, -1).toLowerCase() === lowerName;
    return false;
  });
}

export function isRebuildOperation(op: Operation): op is RebuildOperation {
  return (REBUILD_KINDS as readonly string[]).includes(op.kind);
}

/** A test for a list of column names: the same names (any order unless `ordered`), case aside. */
function sameColumns(wanted: readonly string[], ordered = false): (columns: readonly string[]) => boolean {
  const fold = (names: readonly string[]) => {
    const lower = names.map((n) => n.toLowerCase());
    return (ordered ? lower : lower.sort()).join('\0');
  };
  const key = fold(wanted);
  return (columns) => fold(columns) === key;
}

function matchesKind(constraint: AnyConstraint, label: string): boolean {
  if (label === 'CHECK constraint') return constraint.kind === 'check';
  if (label === 'UNIQUE constraint') return constraint.kind === 'unique';
  return constraint.kind === 'foreignKey' || constraint.kind === 'references';
}

/** The columns (of `candidates`, lower-cased) a table constraint uses. */
function constraintColumns(constraint: TableConstraint, candidates: string[]): string[] {
  if (constraint.kind === 'check') return candidates.filter((c) => mentions(constraint.expr, c));
  return [...new Set(constraint.columns.map((c) => c.toLowerCase()))];
}
