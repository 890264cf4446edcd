import type { Database } from 'better-sqlite3';
import { groupSteps, planCoalesced } from '../plan/coalesce.js';
import { planSteps, type MigrationStep } from '../plan/planner.js';
import type { PlannedRevision, PlannedStatement } from '../plan/plan-types.js';
import { copyRowsInRangeSql, foreignKeyCheckSql, rowidBoundsSql } from '../render/statements.js';
import { normalizeSql } from '../sqlite/tokenize.js';
import { MigrationError } from './migration-error.js';
import { PlannerStatistics, type StatisticsReport } from './planner-statistics.js';
import { RebuildSizes } from './rebuild-sizes.js';

export interface ProgressEvent {
  revision: string;
  table: string;
  rowsCopied: number;
  /**
   * Rows the copy will have taken: while it runs, estimated from the share of the rowid range
   * copied so far (exact for a table without gaps in its rowids), always more than rowsCopied;
   * exact in the copy's last event.
   */
  rowsTotal: number;
}

export interface RunOptions {
  /** Commit after each revision instead of once for the whole range. */
  perRevision?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Runs inside the transaction after the foreign-key check, before COMMIT; throw to roll back.
   * `reports`: what the transaction's revisions did.
   */
  beforeCommit?: (db: Database, revisions: string[], reports: RevisionRunReport[]) => void;
  /** The signed SQL per revision; a plan that differs is refused before anything runs. */
  expectedSql?: ReadonlyMap<string, readonly string[]>;
  /** Rows per range when a copy reports progress. */
  chunkRows?: number;
  /**
   * Plan consecutive revisions as one where the result is exactly that of applying them one by
   * one, so a table several of them rebuild is copied once (see plan/coalesce.ts). The signed SQL
   * is still checked revision by revision. Without effect with `perRevision`.
   */
  coalesce?: boolean;
  /**
   * A plan made before the transaction by planMigration (with the same steps and options): run as
   * made, once BEGIN IMMEDIATE confirms the schema is still the one it was made from (else
   * 'schema-changed', nothing run). Without it, each transaction plans under its own lock.
   */
  plan?: MigrationPlan;
}

/** What planMigration made: run it with runMigration's `plan`. */
export interface MigrationPlan {
  /** `PRAGMA schema_version` of the database it was planned from. */
  schemaVersion: number;
  /** One plan per step: what the signed SQL is checked against, and what runs with `perRevision`. */
  revisions: PlannedRevision[];
  /** What runs in one transaction: `revisions`, or consecutive ones coalesced. */
  runs: PlannedRevision[];
}

export interface RevisionRunReport {
  revision: string;
  direction: 'up' | 'down';
  durationMs: number;
  statements: number;
  /**
   * Each rebuild: rows copied, and the bytes of the table with its indexes before and right after
   * it (counted from the pages the rebuild's statements allocate and free; equal to dbstat's).
   */
  rebuilt: { table: string; rowsCopied: number; bytesBefore: number; bytesAfter: number }[];
  /** Planner statistics kept through the revision; null when the database has none. */
  statistics: StatisticsReport | null;
  /**
   * Set when the revision ran coalesced with others: all their ids, in order. The last of them
   * carries the work (statements, copies, time, statistics); the others report none.
   */
  coalesced?: string[];
}

const DEFAULT_CHUNK_ROWS = 50_000;
/** Ranges a copy is cut into at most: rowids spread thinly over a wide range must not mean millions of empty ones. */
const MAX_CHUNKS = 10_000n;

/**
 * Plans the steps once, outside any transaction (a read-only connection will do), for runMigration
 * to carry under its write lock instead of planning again there.
 */
export function planMigration(db: Database, steps: MigrationStep[], options: Pick<RunOptions, 'perRevision' | 'coalesce'> = {}): MigrationPlan {
  const schemaVersion = readSchemaVersion(db);
  const revisions = planSteps(db, steps);
  // Revisions that cannot join a run are planned by planCoalesced exactly as planSteps plans them.
  const coalescing = options.coalesce && !options.perRevision && groupSteps(steps).some((group) => group.length > 1);
  const runs = coalescing ? planCoalesced(db, steps) : revisions;
  return { schemaVersion, revisions, runs };
}

function readSchemaVersion(db: Database): number {
  return db.pragma('schema_version', { simple: true }) as number;
}

/**
 * The one place a migration transaction is opened. Foreign keys are switched off before BEGIN
 * (SQLite ignores the pragma inside a transaction) so a rebuild's DROP TABLE cannot cascade into
 * child rows; `foreign_key_check` runs before COMMIT; any failure rolls everything back.
 */
export function runMigration(db: Database, steps: MigrationStep[], options: RunOptions = {}): RevisionRunReport[] {
  if (db.inTransaction) throw new MigrationError('in-transaction', 'the database connection is already inside a transaction');
  // With one transaction the check inside it runs before any statement; revisions committed one
  // by one need it up front too, or an early revision could commit before a later one is refused.
  if (options.expectedSql && (options.perRevision || options.plan)) checkExpectedSql(options.plan?.revisions ?? planSteps(db, steps), options.expectedSql);
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  db.pragma('synchronous = FULL');
  const units = options.perRevision ? steps.map((step, i) => ({ steps: [step], plans: options.plan?.revisions.slice(i, i + 1) })) : [{ steps, plans: options.plan?.runs }];
  const reports: RevisionRunReport[] = [];
  try {
    const renamed = tableRenames(steps);
    let schemaVersion = options.plan?.schemaVersion;
    for (const unit of units) {
      const carried = unit.plans && schemaVersion !== undefined ? { plans: unit.plans, schemaVersion } : undefined;
      const done = runUnitToleratingOldOrphans(db, unit.steps, carried, options, renamed);
      reports.push(...done.reports);
      schemaVersion = done.schemaVersion;
    }
  } finally {
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return reports;
}

/**
 * The live plan must be the signed SQL. Spelling is compared canonically: a device whose schema
 * was written with other quoting, spacing or keyword case (and so the same fingerprint) carries
 * that spelling into its rebuild statements, which are still the signed statements.
 */
function checkExpectedSql(plans: PlannedRevision[], expected: ReadonlyMap<string, readonly string[]>): void {
  for (const plan of plans) {
    const signed = expected.get(plan.revision);
    if (!signed) continue;
    const planned = plan.statements.map((s) => s.sql);
    const index = planned.findIndex((sql, i) => sql !== signed[i] && !sameStatement(sql, signed[i]));
    if (index >= 0 || planned.length !== signed.length) {
      throw new MigrationError(
        'plan-mismatch',
        `revision ${plan.revision}: the SQL planned for this database differs from the signed SQL at statement ${index >= 0 ? index + 1 : Math.min(planned.length, signed.length) + 1}`,
        plan.revision,
      );
    }
  }
}

function sameStatement(a: string, b: string | undefined): boolean {
  return b !== undefined && normalizeSql(a) === normalizeSql(b);
}

/**
 * Only violations the migration creates abort it. Rows a device already held in violation (written
 * with foreign keys off) would otherwise block every later migration; checking before as well as
 * after would cost every migration a second full check, so the earlier state is read only when
 * the check after finds something, and the unit then runs again knowing what was there before.
 */
function runUnitToleratingOldOrphans(
  db: Database,
  steps: MigrationStep[],
  carried: CarriedPlan | undefined,
  options: RunOptions,
  renamed: (table: string) => string,
): UnitRun {
  try {
    return runUnit(db, steps, carried, options, new Map());
  } catch (error) {
    if (!(error instanceof ForeignKeyViolation)) throw error;
    const existing = countViolations(
      readViolations(db).map((v) => ({ ...v, table: renamed(v.table), parent: renamed(v.parent) })),
    );
    if (withoutTolerated(error.violations, existing).length) throw error.migrationError;
    return runUnit(db, steps, carried, options, existing);
  }
}

/** Where a table's rows end up after the steps' renames, so old orphans are known under new names. */
function tableRenames(steps: MigrationStep[]): (table: string) => string {
  const renames = steps.flatMap((step) => step.operations.filter((op) => op.kind === 'renameTable'));
  return (table) =>
    renames.reduce((name, op) => (name.toLowerCase() === op.from.toLowerCase() ? op.to : name), table);
}

/** Counted, not just keyed: a WITHOUT ROWID table reports every violation with a null rowid. */
function countViolations(violations: Violation[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of violations) counts.set(violationKey(v), (counts.get(violationKey(v)) ?? 0) + 1);
  return counts;
}

function withoutTolerated(violations: Violation[], tolerated: ReadonlyMap<string, number>): Violation[] {
  const left = new Map(tolerated);
  return violations.filter((v) => {
    const count = left.get(violationKey(v)) ?? 0;
    left.set(violationKey(v), count - 1);
    return count <= 0;
  });
}

/** A unit's plan made before its transaction, and the schema_version it must still find. */
interface CarriedPlan {
  plans: PlannedRevision[];
  schemaVersion: number;
}

/** What a transaction did, and the schema_version it committed: what the next unit must find. */
interface UnitRun {
  reports: RevisionRunReport[];
  schemaVersion: number;
}

/**
 * One transaction. The plan is made inside it, under the write lock, so no other connection can
 * change the schema between planning and running; or, carried from before, it runs once the
 * schema_version read under the lock shows the schema is still the one it was made from.
 */
function runUnit(
  db: Database,
  steps: MigrationStep[],
  carried: CarriedPlan | undefined,
  options: RunOptions,
  tolerated: ReadonlyMap<string, number>,
): UnitRun {
  const reports: RevisionRunReport[] = [];
  const revision = steps.at(-1)?.revision;
  db.exec('BEGIN IMMEDIATE');
  try {
    const plans = carried ? checkedCarriedPlan(db, carried, revision) : planUnderLock(db, steps, options);
    const statistics = PlannerStatistics.open(db);
    const sizes = new RebuildSizes(db);
    for (const plan of plans) reports.push(...coalescedReports(runRevision(db, plan, options, statistics, sizes), plan.coalesced));
    checkForeignKeys(db, revision, tolerated);
    options.beforeCommit?.(db, steps.map((step) => step.revision), reports);
    const schemaVersion = readSchemaVersion(db);
    db.exec('COMMIT');
    return { reports, schemaVersion };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.pragma('legacy_alter_table = OFF');
    throw error instanceof MigrationError || error instanceof ForeignKeyViolation ? error : wrap(error, revision);
  }
}

function planUnderLock(db: Database, steps: MigrationStep[], options: RunOptions): PlannedRevision[] {
  const oneByOne = planSteps(db, steps);
  if (options.expectedSql) checkExpectedSql(oneByOne, options.expectedSql);
  return options.coalesce ? planCoalesced(db, steps) : oneByOne;
}

function checkedCarriedPlan(db: Database, carried: CarriedPlan, revision: string | undefined): PlannedRevision[] {
  const now = readSchemaVersion(db);
  if (now !== carried.schemaVersion) {
    throw new MigrationError(
      'schema-changed',
      `the schema changed (schema_version ${carried.schemaVersion} when planned, ${now} under the write lock) before the migration could start; nothing ran`,
      revision,
    );
  }
  return carried.plans;
}

function wrap(error: unknown, revision: string | undefined): MigrationError {
  const message = error instanceof Error ? error.message : String(error);
  const fromSqlite = typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('SQLITE_');
  return new MigrationError(fromSqlite ? 'statement-failed' : 'validation-failed', message, revision, undefined, error);
}

function runRevision(
  db: Database,
  plan: PlannedRevision,
  options: RunOptions,
  statistics: PlannerStatistics | null,
  sizes: RebuildSizes,
): RevisionRunReport {
  const started = performance.now();
  const rebuilt: RevisionRunReport['rebuilt'] = [];
  let rowsCopied = 0;
  for (const statement of plan.statements) {
    try {
      sizes.before(statement);
      if (statement.copy) {
        statistics?.beforeRebuild(statement.copy.table, statement.copy.recomputed);
        rowsCopied = runCopy(db, plan.revision, statement, options);
      } else {
        db.exec(statement.sql);
      }
      sizes.after(statement);
      if (statement.rebuildDone) {
        rebuilt.push({ table: statement.rebuildDone, rowsCopied, ...sizes.finish(statement.rebuildDone) });
        statistics?.afterRebuild(statement.rebuildDone);
      }
      if (statement.rename) statistics?.afterRename(statement.rename.from, statement.rename.to);
    } catch (error) {
      throw new MigrationError(
        'statement-failed',
        `revision ${plan.coalesced?.join('+') ?? plan.revision} failed: ${(error as Error).message} (in: ${firstLine(statement.sql)})`,
        plan.revision,
        statement.sql,
        error,
      );
    }
  }
  return {
    revision: plan.revision,
    direction: plan.direction,
    durationMs: performance.now() - started,
    statements: plan.statements.length,
    rebuilt,
    statistics: settleStatistics(statistics, plan.revision),
  };
}

/** One report per revision of a coalesced plan: the work on the last, none on the others. */
function coalescedReports(report: RevisionRunReport, coalesced: string[] | undefined): RevisionRunReport[] {
  if (!coalesced) return [report];
  const idle = (revision: string): RevisionRunReport => ({ ...report, revision, durationMs: 0, statements: 0, rebuilt: [], statistics: null, coalesced });
  return [...coalesced.slice(0, -1).map(idle), { ...report, coalesced }];
}

function settleStatistics(statistics: PlannerStatistics | null, revision: string): StatisticsReport | null {
  try {
    return statistics?.settle() ?? null;
  } catch (error) {
    throw new MigrationError('statement-failed', `revision ${revision} failed: ${(error as Error).message} (in: ANALYZE)`, revision, 'ANALYZE', error);
  }
}

function firstLine(sql: string): string {
  const line = sql.split('\n', 1)[0]!;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/**
 * A rebuild's row copy; with a progress listener it runs in rowid ranges inside the same
 * transaction. The ranges come from the lowest and highest rowid alone (two b-tree descents): a
 * count(*) first would read a whole index, which the rebuild then drops.
 */
function runCopy(db: Database, revision: string, statement: PlannedStatement, options: RunOptions): number {
  const { table, rowid } = statement.copy!;
  if (!options.onProgress || !rowid) return db.prepare(statement.sql).run().changes;
  const { low, high } = db.prepare(rowidBoundsSql(table, rowid)).safeIntegers(true).get() as { low: bigint | null; high: bigint | null };
  if (low === null || high === null) {
    options.onProgress({ revision, table, rowsCopied: 0, rowsTotal: 0 });
    return 0;
  }
  const span = high - low + 1n;
  const chunkRows = BigInt(options.chunkRows ?? DEFAULT_CHUNK_ROWS);
  const wanted = span / chunkRows + (span % chunkRows ? 1n : 0n);
  const chunks = wanted < MAX_CHUNKS ? wanted : MAX_CHUNKS;
  const step = span / chunks + (span % chunks ? 1n : 0n);
  const copyRange = db.prepare(copyRowsInRangeSql(statement.sql, rowid));
  let copied = 0;
  for (let from = low; from <= high; from += step) {
    const to = from + step - 1n < high ? from + step - 1n : high;
    copied += copyRange.run(from, to).changes;
    const rowsTotal = to === high ? copied : Math.max(copied + 1, Math.ceil((copied * Number(span)) / Number(to - low + 1n)));
    options.onProgress({ revision, table, rowsCopied: copied, rowsTotal });
  }
  return copied;
}

interface Violation {
  table: string;
  rowid: number | null;
  parent: string;
  fkid: number;
}

/** Keyed without `fkid`: a rebuild may renumber a table's foreign keys. */
function violationKey(v: Violation): string {
  return `${v.table.toLowerCase()}\u0000${v.rowid}\u0000${v.parent.toLowerCase()}`;
}

function readViolations(db: Database): Violation[] {
  return db.prepare(foreignKeyCheckSql()).all() as Violation[];
}

class ForeignKeyViolation extends Error {
  constructor(
    readonly violations: Violation[],
    readonly migrationError: MigrationError,
  ) {
    super(migrationError.message);
  }
}

function checkForeignKeys(db: Database, revision: string | undefined, tolerated: ReadonlyMap<string, number>): void {
  const violations = withoutTolerated(readViolations(db), tolerated);
  if (!violations.length) return;
  const shown = violations
    .slice(0, 3)
    .map((v) => `${v.table} rowid ${v.rowid ?? '?'} references a missing row in ${v.parent}`)
    .join('; ');
  const more = violations.length > 3 ? ` (and ${violations.length - 3} more)` : '';
  throw new ForeignKeyViolation(
    violations,
    new MigrationError('foreign-key-violation', `foreign key violation: ${shown}${more}`, revision),
  );
}
