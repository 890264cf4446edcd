import { MigrationError, runMigration, signedSql, type RevisionRunReport, type StatisticsReport } from '@godwit/migration-bundle';
import type { Db } from '../db/open-database.js';
import { tableExists } from '../db/table-sizes.js';
import type { AgentError } from '../errors.js';
import { revisionLabel } from '../state/agent-state.js';
import { readState } from '../state/read-state.js';
import { appendApplyLog, writeState, type ApplyLogEntry } from '../state/write-state.js';
import type { ChangeOptions } from './change-options.js';
import type { Outcome, StepReport } from './change-report.js';
import { explainFailure, validationError } from './explain-failure.js';
import { copiesPerTable, type ChangePlan } from './plan-change.js';
import type { PreparedChange } from './prepare-change.js';
import { compareSchema, onlyKnownDrift } from './preflight.js';
import { appliedClosure } from './resolve-change.js';

export interface ExecuteInputs {
  options: ChangeOptions;
  prepared: PreparedChange;
  plan: ChangePlan;
  /** When the command started (performance.now()): the apply log's durations count from there. */
  started: number;
}

/** What running the plan did. On failure, what committed before it (--per-revision) and why. */
export interface Execution {
  outcome: Exclude<Outcome, 'up-to-date'>;
  /** Revisions committed, in order. */
  revisions: string[];
  /** Where the database is now. */
  heads: string[];
  steps: StepReport[];
  copies: Record<string, number>;
  /** Bytes of each rebuilt table with its indexes: before its first rebuild, and now (after its last). */
  sizesBefore: Record<string, number>;
  sizesAfter: Record<string, number>;
  error: AgentError | null;
}

/** One transaction's beforeCommit: what it recorded, kept for the result once it committed. */
interface Unit {
  revisions: string[];
  heads: string[];
  reports: RevisionRunReport[];
  sizesBefore: Record<string, number>;
  sizesAfter: Record<string, number>;
}

/**
 * Runs the plan through the engine's runMigration. Its beforeCommit, inside the transaction,
 * checks the result against the bundle's expected schema and writes the bookkeeping and the apply
 * log, so that they commit or roll back with the schema. After a rollback the log gets a row
 * saying why, in a transaction of its own.
 */
export function executeChange(db: Db, inputs: ExecuteInputs): Execution {
  const { options, prepared, plan } = inputs;
  const { manifest } = options.bundle;
  const { graph, steps } = prepared.change;
  const upgrade = options.command === 'upgrade';
  const byId = new Map(manifest.revisions.map((r) => [r.id, r]));
  const applied = appliedClosure(graph, prepared.state.heads);
  const units: Unit[] = [];
  // Rows copied so far by each table's copy, as progress reports them: a failed run's log row says how far it got.
  const rowsSeen: Record<string, number> = {};
  let validationFailure: AgentError | null = null;
  const log = logEntry(options, inputs, prepared.schema.diff);

  try {
    const reports = runMigration(db, steps, {
      plan: plan.migration,
      perRevision: options.perRevision,
      coalesce: !options.perRevision,
      // Drift under --force is carried through by planning from the live schema, so the signed SQL cannot apply.
      expectedSql: options.force ? undefined : signedSql(manifest, prepared.state.heads, upgrade ? 'up' : 'down'),
      onProgress: (progress) => {
        rowsSeen[progress.table] = progress.rowsCopied;
        options.onProgress?.(progress);
      },
      beforeCommit: (tx: Db, revisionIds: string[], unitReports: RevisionRunReport[]) => {
        // A later beforeCommit runs only once the previous COMMIT (--per-revision) went through.
        const from = units.at(-1)?.heads ?? prepared.state.heads;
        for (const id of revisionIds) {
          if (upgrade) applied.add(id);
          else applied.delete(id);
        }
        const heads = graph.headsAfter(applied);
        const result = compareSchema(tx, manifest, heads);
        if (result.diff !== null && !(options.force && onlyKnownDrift(result.changes, prepared.schema.changes))) {
          validationFailure = validationError(revisionIds, result.diff);
          throw validationFailure;
        }
        writeState(tx, {
          heads,
          applied: upgrade ? revisionIds.map((id) => ({ revision: id, checksum: byId.get(id)!.checksum })) : [],
          removed: upgrade ? [] : revisionIds,
          bundle: { id: manifest.bundleId, sequence: Math.max(manifest.sequence, prepared.state.bundleSequence ?? manifest.sequence) },
          now: Date.now(),
        });
        const { sizesBefore, sizesAfter } = rebuildSizes(tx, unitReports, units.at(-1)?.sizesAfter ?? {});
        appendApplyLog(tx, log({ revisions: revisionIds, from, to: heads, outcome: 'applied', rowsCopied: rowsCopiedBy(unitReports), sizesBefore, sizesAfter, statistics: mergeStatistics(unitReports) }));
        units.push({ revisions: revisionIds, heads, reports: unitReports, sizesBefore, sizesAfter });
      },
    });
    return { ...resultOf(units), outcome: 'applied', revisions: steps.map((s) => s.revision), steps: reports.map(stepReport), copies: copiesOf(reports), error: null };
  } catch (error) {
    const failure = explainFailure(error, validationFailure, options, prepared);
    // beforeCommit may have run for a COMMIT that then failed, and with --per-revision earlier
    // revisions may have committed: only the database says where it now is.
    const now = readState(db).heads;
    const nowApplied = appliedClosure(graph, now);
    const before = appliedClosure(graph, prepared.state.heads);
    const committed = (id: string) => (upgrade ? nowApplied.has(id) && !before.has(id) : !nowApplied.has(id) && before.has(id));
    const outcome = ranAndRolledBack(error) ? 'rolled-back' : 'refused';
    const attempted = steps.map((s) => s.revision).filter((id) => !committed(id));
    try {
      db.transaction(() => appendApplyLog(db, log({ revisions: attempted, from: now, to: now, outcome, rowsCopied: rowsSeen, error: failure.message })))();
    } catch {
      // A full disk can refuse the log row too; the exit code and message still say what happened.
    }
    const kept = units.filter((unit) => unit.revisions.every(committed));
    const keptReports = kept.flatMap((unit) => unit.reports);
    return {
      ...resultOf(kept),
      heads: now,
      outcome,
      revisions: steps.map((s) => s.revision).filter(committed),
      steps: keptReports.map(stepReport),
      copies: copiesOf(keptReports),
      error: failure,
    };
  }
}

function resultOf(units: Unit[]): Pick<Execution, 'heads' | 'sizesBefore' | 'sizesAfter'> {
  const last = units.at(-1);
  // The first transaction that rebuilt a table saw it before any of them.
  const sizesBefore = Object.assign({}, ...units.map((unit) => unit.sizesBefore).reverse()) as Record<string, number>;
  return { heads: last?.heads ?? [], sizesBefore, sizesAfter: last?.sizesAfter ?? {} };
}

/**
 * One transaction's table sizes, from what its rebuilds counted (no table is walked): each rebuilt
 * table before its first rebuild; after, with what earlier transactions of this change measured,
 * those tables that still exist under that name.
 */
function rebuildSizes(tx: Db, reports: RevisionRunReport[], earlierAfter: Record<string, number>): Pick<Unit, 'sizesBefore' | 'sizesAfter'> {
  const sizesBefore: Record<string, number> = {};
  const sizesAfter: Record<string, number> = { ...earlierAfter };
  for (const copy of reports.flatMap((r) => r.rebuilt)) {
    sizesBefore[copy.table] ??= copy.bytesBefore;
    sizesAfter[copy.table] = copy.bytesAfter;
  }
  for (const table of Object.keys(sizesAfter)) if (!tableExists(tx, table)) delete sizesAfter[table];
  return { sizesBefore, sizesAfter };
}

interface LogFields {
  revisions: string[];
  from: readonly string[];
  to: readonly string[];
  outcome: string;
  rowsCopied: Record<string, number>;
  sizesBefore?: Record<string, number>;
  sizesAfter?: Record<string, number>;
  statistics?: StatisticsReport | null;
  error?: string;
}

/** The apply-log rows of this change: what is the same in each, then what each says. */
function logEntry(options: ChangeOptions, inputs: ExecuteInputs, drift: string | null): (fields: LogFields) => ApplyLogEntry {
  const { manifest } = options.bundle;
  const startedAt = Date.now();
  return (fields) => ({
    command: options.command,
    bundleId: manifest.bundleId,
    bundleSequence: manifest.sequence,
    fromRevision: revisionLabel(fields.from),
    toRevision: revisionLabel(fields.to),
    revisions: JSON.stringify(fields.revisions),
    startedAt,
    durationMs: Math.round(performance.now() - inputs.started),
    rowsCopied: JSON.stringify(fields.rowsCopied),
    sizesBefore: JSON.stringify(fields.sizesBefore ?? {}),
    sizesAfter: fields.sizesAfter ? JSON.stringify(fields.sizesAfter) : null,
    outcome: fields.outcome,
    error: fields.error ?? null,
    forced: options.force,
    rollbackAllowed: options.allowRollback,
    drift,
    statistics: fields.statistics ? JSON.stringify(fields.statistics) : null,
  });
}

function stepReport(r: RevisionRunReport): StepReport {
  return {
    revision: r.revision,
    direction: r.direction,
    durationMs: Math.round(r.durationMs),
    rebuilt: r.rebuilt,
    statistics: r.statistics,
    ...(r.coalesced ? { coalesced: r.coalesced } : {}),
  };
}

function copiesOf(reports: RevisionRunReport[]): Record<string, number> {
  return copiesPerTable(reports.flatMap((r) => r.rebuilt.map((copy) => copy.table)));
}

/** Rows each table's copy took in one transaction. */
function rowsCopiedBy(reports: RevisionRunReport[]): Record<string, number> {
  return Object.fromEntries(reports.flatMap((r) => r.rebuilt.map((copy) => [copy.table, copy.rowsCopied])));
}

/** The statistics of one transaction's revisions, as one report; null when the database has none. */
function mergeStatistics(reports: RevisionRunReport[]): StatisticsReport | null {
  const kept = reports.flatMap((r) => (r.statistics ? [r.statistics] : []));
  if (!kept.length) return null;
  const unique = (names: string[]) => [...new Set(names)];
  return {
    carried: unique(kept.flatMap((s) => s.carried)),
    analysed: unique(kept.flatMap((s) => s.analysed)),
    durationMs: Math.round(kept.reduce((sum, s) => sum + s.durationMs, 0) * 100) / 100,
  };
}

/** The engine throws MigrationError once its transaction began (or its plan was refused before anything ran). */
function ranAndRolledBack(error: unknown): boolean {
  return error instanceof MigrationError && !['plan-mismatch', 'in-transaction', 'schema-changed'].includes(error.code);
}
