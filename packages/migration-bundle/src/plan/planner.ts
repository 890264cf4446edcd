import type { Database } from 'better-sqlite3';
import type { ColumnSpec, Operation } from '../ops/operation.js';
import { columnFromSpec, defaultClauseValue, renderCreateTableFromSpec } from '../render/column-spec.js';
import { renderCreateTable } from '../render/table.js';
import {
  addColumnSql,
  createIndexSql,
  dropColumnSql,
  dropIndexSql,
  dropTableSql,
  foreignKeyCheckSql,
  probeSql,
  renameColumnSql,
  renameTableSql,
} from '../render/statements.js';
import { cloneSchema } from '../sqlite/schema-clone.js';
import { parseCreateTable } from '../sqlite/parse-create-table.js';
import type { TableDef } from '../sqlite/table-def.js';
import { PlanError } from './errors.js';
import type { PlannedRevision, PlannedStatement } from './plan-types.js';
import { isRebuildOperation, mentions, REBUILD_PREFIX, TableRebuild } from './table-rebuild.js';

export interface MigrationStep {
  revision: string;
  direction: 'up' | 'down';
  operations: Operation[];
}

/**
 * Plans a revision's operations on `schemaDb`, a schema-only database (see cloneSchema), running
 * each statement there as it is planned so later operations see its effect. Native ALTER TABLE is
 * used where SQLite accepts it, the rebuild otherwise; all rebuilds of one table share one copy.
 */
export function planRevision(schemaDb: Database, step: MigrationStep): PlannedRevision {
  return planAsOne(schemaDb, [step]);
}

/**
 * Plans consecutive steps as one revision (named after the last): rebuilds pending at the end of
 * one step carry on into the next, so a table they all rebuild is copied once. Whether an added or
 * dropped column may use native ALTER is decided per step, as planning them one by one decides it.
 */
export function planAsOne(schemaDb: Database, steps: MigrationStep[]): PlannedRevision {
  const last = steps.at(-1)!;
  const planner = new RevisionPlanner(schemaDb);
  for (const step of steps) {
    planner.beginStep(step);
    for (const [index, op] of step.operations.entries()) {
      try {
        planner.apply(op);
      } catch (error) {
        throw describeFailure(error, step, index, op);
      }
    }
  }
  try {
    planner.flushAll();
    planner.checkViews();
    planner.checkReferencedKeys();
  } catch (error) {
    throw describeFailure(error, last, null, null);
  }
  return { revision: last.revision, direction: last.direction, statements: planner.statements, rebuilt: planner.rebuilt };
}

/** Plans several steps in order on a schema-only copy of `db`; `db` itself is not touched. */
export function planSteps(db: Database, steps: MigrationStep[]): PlannedRevision[] {
  const clone = cloneSchema(db);
  try {
    return steps.map((step) => planRevision(clone, step));
  } finally {
    clone.close();
  }
}

function describeFailure(error: unknown, step: MigrationStep, index: number | null, op: Operation | null): PlanError {
  const where = op ? ` (operation ${index! + 1}, ${op.kind})` : '';
  const message = error instanceof Error ? error.message : String(error);
  return new PlanError(`revision ${step.revision} ${step.direction}${where}: ${message}`);
}

/** Operations SQLite may run natively (a column added last, a column dropped); every other table change needs the rebuild. */
function nativeCandidate(op: Operation): boolean {
  return (op.kind === 'addColumn' && op.before === undefined && op.after === undefined) || op.kind === 'dropColumn';
}

class RevisionPlanner {
  readonly statements: PlannedStatement[] = [];
  readonly rebuilt: string[] = [];
  /** Tables whose primary key a rebuild changed: the foreign keys naming them are checked at the end. */
  private readonly rekeyed = new Set<string>();
  private readonly pending = new Map<string, TableRebuild>();
  /** Tables the current step rebuilds anyway: adding or dropping their columns joins that copy. */
  private rebuiltAnyway = new Set<string>();

  constructor(private readonly db: Database) {}

  beginStep(step: MigrationStep): void {
    this.rebuiltAnyway = new Set(
      step.operations
        .filter((op) => isRebuildOperation(op) && !nativeCandidate(op))
        .map((op) => (op as { table: string }).table.toLowerCase()),
    );
  }

  private emit(statement: PlannedStatement): void {
    this.db.exec(statement.sql);
    this.statements.push(statement);
  }

  /**
   * Runs `sql` if SQLite accepts it on this schema (and `verify` then passes); reports whether it
   * did, leaving no trace otherwise.
   */
  private tryNative(sql: string, verify?: () => void): boolean {
    this.db.exec('SAVEPOINT godwit_try');
    try {
      this.db.exec(sql);
      verify?.();
      this.db.exec('RELEASE godwit_try');
    } catch {
      this.db.exec('ROLLBACK TO godwit_try');
      this.db.exec('RELEASE godwit_try');
      return false;
    }
    this.statements.push({ sql });
    return true;
  }

  /** Throws unless the table's stored definition creates a table (tried under another name, undone). */
  private createsAgain(table: string): void {
    this.db.exec('SAVEPOINT godwit_verify');
    try {
      this.db.exec(renderCreateTable(this.tableDef(table), `${REBUILD_PREFIX}${table}`));
    } finally {
      this.db.exec('ROLLBACK TO godwit_verify');
      this.db.exec('RELEASE godwit_verify');
    }
  }

  private tableDef(name: string): TableDef {
    const row = this.db
      .prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE")
      .get(name) as { sql: string } | undefined;
    if (!row) throw new PlanError(`no such table: ${name}`);
    return parseCreateTable(row.sql);
  }

  private rebuildFor(table: string): TableRebuild {
    const key = table.toLowerCase();
    let rebuild = this.pending.get(key);
    if (!rebuild) {
      rebuild = new TableRebuild(this.tableDef(table));
      this.pending.set(key, rebuild);
    }
    return rebuild;
  }

  apply(op: Operation): void {
    if (isRebuildOperation(op)) return this.applyTableChange(op);
    switch (op.kind) {
      case 'execute':
        this.flushAll();
        return this.emit({ sql: op.sql });
      case 'createTable':
        return this.emit({ sql: renderCreateTableFromSpec(op.table, op.columns, op.options) });
      case 'dropTable':
        this.pending.delete(op.table.toLowerCase());
        return this.emit({ sql: dropTableSql(op.table) });
      case 'renameTable':
        return this.renameTable(op.from, op.to);
      case 'renameColumn':
        return this.renameColumn(op.table, op.from, op.to);
      case 'createIndex': {
        const sql = createIndexSql(op);
        const pending = this.pending.get(op.table.toLowerCase());
        return pending ? pending.deferIndex(op.name, sql) : this.emit({ sql });
      }
      case 'dropIndex':
        if ([...this.pending.values()].some((rebuild) => rebuild.dropDeferredIndex(op.name))) return;
        return this.emit({ sql: dropIndexSql(op.name) });
    }
  }

  /** Native rename; a pending copy of the table, or of tables referencing it, follows the new name. */
  private renameTable(from: string, to: string): void {
    this.emit({ sql: renameTableSql(from, to), rename: { from, to } });
    const own = this.pending.get(from.toLowerCase());
    if (own) {
      this.pending.delete(from.toLowerCase());
      own.renameTable(to);
      this.pending.set(to.toLowerCase(), own);
    }
    for (const rebuild of this.pending.values()) if (rebuild !== own) rebuild.retargetReferences(from, to);
  }

  /**
   * Native rename on the current table (SQLite rewrites its indexes, triggers, views and child
   * keys); a pending copy keeps its place and reads the column under its new name.
   */
  private renameColumn(table: string, from: string, to: string): void {
    const own = this.pending.get(table.toLowerCase());
    const native = own ? own.renameColumn(from, to) : true;
    if (native) {
      this.emit({ sql: renameColumnSql(table, from, to) });
    }
    for (const rebuild of this.pending.values()) if (rebuild !== own) rebuild.retargetReferencedColumn(table, from, to);
  }

  private applyTableChange(op: Parameters<TableRebuild['absorb']>[0]): void {
    const pending = this.pending.get(op.table.toLowerCase());
    if (!pending && !this.rebuiltAnyway.has(op.table.toLowerCase())) {
      if (op.kind === 'addColumn' && nativeCandidate(op)) {
        // ADD COLUMN takes a generation expression naming no column, which CREATE TABLE (a rebuild's) refuses.
        const verify = op.column.generated ? () => this.createsAgain(op.table) : undefined;
        if (addableNatively(op.column) && this.tryNative(addColumnSql(op.table, columnFromSpec(op.column)), verify)) return;
      } else if (op.kind === 'dropColumn') {
        if (this.tryNative(dropColumnSql(op.table, op.column))) {
          return this.refuseTriggersUsing(op.table, [op.column]);
        }
      }
    }
    (pending ?? this.rebuildFor(op.table)).absorb(op);
  }

  flush(table: string): void {
    const key = table.toLowerCase();
    const rebuild = this.pending.get(key);
    if (!rebuild) return;
    this.pending.delete(key);
    this.refuseTriggersUsing(rebuild.table, rebuild.droppedColumns());
    const dependents = (type: string) =>
      (
        this.db
          .prepare('SELECT sql FROM sqlite_schema WHERE type = ? AND tbl_name = ? COLLATE NOCASE AND sql IS NOT NULL ORDER BY rowid')
          .all(type, rebuild.table) as { sql: string }[]
      ).map((row) => row.sql);
    for (const statement of rebuild.render(dependents('index'), dependents('trigger'))) this.emit(statement);
    this.rebuilt.push(rebuild.table);
    if (rebuild.keyChanged()) this.rekeyed.add(rebuild.table);
  }

  /**
   * A trigger left naming a dropped column would fail at its next firing on a device; SQLite's
   * DROP COLUMN refuses only some of these (not a trigger on another table), so both paths check.
   */
  private refuseTriggersUsing(table: string, droppedColumns: string[]): void {
    const dropped = droppedColumns.map((c) => c.toLowerCase());
    if (!dropped.length) return;
    const triggers = this.db
      .prepare("SELECT name, tbl_name AS tbl, sql FROM sqlite_schema WHERE type = 'trigger'")
      .all() as { name: string; tbl: string; sql: string }[];
    const lower = table.toLowerCase();
    for (const trigger of triggers) {
      if (trigger.tbl.toLowerCase() !== lower && !mentions(trigger.sql, lower)) continue;
      const used = dropped.find((column) => mentions(trigger.sql, column));
      if (used) {
        throw new PlanError(
          `trigger ${trigger.name} uses column ${table}.${used}, which this revision drops; drop or re-create the trigger first`,
        );
      }
    }
  }

  flushAll(): void {
    for (const rebuild of [...this.pending.values()]) this.flush(rebuild.table);
  }

  /**
   * A foreign key must name its parent's PRIMARY KEY or a UNIQUE column set: one left naming a key
   * this revision dropped or changed would fail every check of it on a device ("foreign key
   * mismatch"), so it fails here, at build time.
   */
  checkReferencedKeys(): void {
    for (const parent of this.rekeyed) {
      const children = this.db
        .prepare(
          `SELECT DISTINCT m.name FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f."table" = ? COLLATE NOCASE`,
        )
        .pluck()
        .all(parent) as string[];
      for (const child of children) {
        try {
          this.db.prepare(foreignKeyCheckSql(child)).all();
        } catch (error) {
          throw new PlanError(
            `the primary key of ${parent} changes, and a foreign key of ${child} referencing ${parent} no longer names its primary key or a UNIQUE column set (${(error as Error).message}); drop or change that foreign key, or add a UNIQUE constraint on the columns it references`,
          );
        }
      }
    }
  }

  /** A view left naming a dropped column or table fails here, at build time, not on a device. */
  checkViews(): void {
    const views = this.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'").all() as { name: string }[];
    for (const { name } of views) {
      try {
        this.db.prepare(probeSql(name)).all();
      } catch (error) {
        throw new PlanError(`view ${name} no longer works after this revision: ${(error as Error).message}`);
      }
    }
  }
}

const TIME_DEFAULTS = new Set(['current_time', 'current_date', 'current_timestamp']);

/**
 * SQLite's documented limits on ADD COLUMN. Some of them it enforces only when the table has rows,
 * so trying the statement on the empty schema clone cannot be the whole test.
 */
function addableNatively(spec: ColumnSpec): boolean {
  if (spec.primaryKey || spec.unique) return false;
  // SQLite computes a VIRTUAL column when read (it checks NOT NULL and CHECK on the rows as it adds
  // one); a STORED one would have to be written into every row, which ADD COLUMN never does.
  if (spec.generated) return !spec.generated.stored;
  const value = spec.default === undefined ? undefined : defaultClauseValue(spec.default);
  if (value !== undefined && (value.startsWith('(') || TIME_DEFAULTS.has(value.toLowerCase()))) return false;
  return !spec.notNull || (value !== undefined && value.toLowerCase() !== 'null');
}
