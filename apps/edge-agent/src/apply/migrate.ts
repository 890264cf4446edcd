import { MigrationError, runMigration, signedSql, type RevisionRunReport, type StatisticsReport } from '@godwit/migration-bundle';
import type { Db } from '../db/open-database.js';
import { rowCount, tableExists, tableSizes } from '../db/table-sizes.js';
import type { AgentError } from '../errors.js';
import { revisionLabel } from '../state/agent-state.js';
import { readState } from '../state/read-state.js';
import { appendApplyLog, writeState, type ApplyLogEntry } from '../state/write-state.js';
import type { ChangeOptions } from './change-options.js';
import type { ChangeReport } from './change-report.js';
import { explainFailure, validationError } from './explain-failure.js';
import type { PreparedChange } from './prepare-change.js';
import { compareSchema, onlyKnownDrift } from './preflight.js';
import { appliedClosure } from './resolve-change.js';

/**
 * Runs the pending revisions through the engine's runMigration. Its beforeCommit, inside the
 * transaction, checks the result against the bundle's expected schema and writes the bookkeeping
 * and the apply log, so that they commit or roll back with the schema. After a rollback the log
 * gets a row saying why, in a transaction of its own.
 */
export function migrate(
  db: Db,
  options: ChangeOptions,
  prepared: PreparedChange,
  report: ChangeReport,
  started: number,
  touched: string[],
  rebuilt: string[],
): void {
  const { manifest } = options.bundle;
  const { graph, steps } = prepared.change;
  const byId = new Map(manifest.revisions.map((r) => [r.id, r]));
  const applied = appliedClosure(graph, prepared.state.heads);
  const rowsCopied: Record<string, number> = {};
  const startedAt = Date.now();
  // Where the transaction being committed started: the heads of the previous beforeCommit, since a
  // later beforeCommit runs only once the previous COMMIT (--per-revision) went through.
  let unitFrom = prepared.state.heads;
  let validationFailure: AgentError | null = null;
  const logRow = (
    revisions: string[],
    to: string[],
    outcome: string,
    error: string | null,
    sizesAfter: Record<string, number> | null,
    statistics: StatisticsReport | null = null,
  ): ApplyLogEntry => ({
    command: options.command,
    bundleId: manifest.bundleId,
    bundleSequence: manifest.sequence,
    fromRevision: revisionLabel(unitFrom),
    toRevision: revisionLabel(to),
    revisions: JSON.stringify(revisions),
    startedAt,
    durationMs: Math.round(performance.now() - started),
    rowsCopied: JSON.stringify(rowsCopied),
    sizesBefore: JSON.stringify(report.sizesBefore),
    sizesAfter: sizesAfter && JSON.stringify(sizesAfter),
    outcome,
    error,
    forced: options.force,
    rollbackAllowed: options.allowRollback,
    drift: report.drift,
    statistics: statistics && JSON.stringify(statistics),
  });

  try {
    const runReports = runMigration(db, steps, {
      perRevision: options.perRevision,
      coalesce: !options.perRevision,
      // Drift under --force is carried through by planning from the live schema, so the signed SQL cannot apply.
      expectedSql: options.force ? undefined : signedSql(manifest, prepared.state.heads, options.command === 'upgrade' ? 'up' : 'down'),
      onProgress: (progress) => {
        rowsCopied[progress.table] = progress.rowsCopied;
        options.onProgress?.(progress);
      },
      beforeCommit: (tx: Db, revisionIds: string[], unitReports: RevisionRunReport[]) => {
        for (const id of revisionIds) {
          if (options.command === 'upgrade') applied.add(id);
          else applied.delete(id);
        }
        const heads = graph.headsAfter(applied);
        const result = compareSchema(tx, manifest, heads);
        if (result.diff !== null && !(options.force && onlyKnownDrift(result.changes, prepared.schema.changes))) {
          validationFailure = validationError(revisionIds, result.diff);
          throw validationFailure;
        }
        for (const table of rebuilt) rowsCopied[table] ??= rowCount(tx, table);
        writeState(tx, {
          heads,
          applied: options.command === 'upgrade' ? revisionIds.map((id) => ({ revision: id, checksum: byId.get(id)!.checksum })) : [],
          removed: options.command === 'downgrade' ? revisionIds : [],
          bundle: { id: manifest.bundleId, sequence: Math.max(manifest.sequence, prepared.state.bundleSequence ?? manifest.sequence) },
          now: Date.now(),
        });
        report.sizesAfter = tableSizes(tx, touched.filter((t) => tableExists(tx, t)));
        appendApplyLog(tx, logRow(revisionIds, heads, 'applied', null, report.sizesAfter, mergeStatistics(unitReports)));
        unitFrom = heads;
      },
    });
    report.steps = runReports.map((r) => ({
      revision: r.revision,
      direction: r.direction,
      durationMs: Math.round(r.durationMs),
      rebuilt: r.rebuilt,
      statistics: r.statistics,
      ...(r.coalesced ? { coalesced: r.coalesced } : {}),
    }));
    report.copies = copiesPerTable(runReports.flatMap((r) => r.rebuilt.map((copy) => copy.table)));
    report.revisions = steps.map((s) => s.revision);
    report.to = revisionLabel(graph.headsAfter(applied));
    report.outcome = 'applied';
  } catch (error) {
    const failure = explainFailure(error, validationFailure, options, prepared);
    // beforeCommit may have run for a COMMIT that then failed, and with --per-revision earlier
    // revisions may have committed: only the database says where it now is.
    const now = readState(db).heads;
    const nowApplied = appliedClosure(graph, now);
    const before = appliedClosure(graph, prepared.state.heads);
    const committed = (id: string) => (options.command === 'upgrade' ? nowApplied.has(id) && !before.has(id) : !nowApplied.has(id) && before.has(id));
    report.revisions = steps.map((s) => s.revision).filter(committed);
    report.to = revisionLabel(now);
    unitFrom = now;
    report.outcome = ranAndRolledBack(error) ? 'rolled-back' : 'refused';
    const attempted = steps.map((s) => s.revision).filter((id) => !committed(id));
    try {
      db.transaction(() => appendApplyLog(db, logRow(attempted, now, report.outcome, failure.message, null)))();
    } catch {
      // A full disk can refuse the log row too; the exit code and message still say what happened.
    }
    throw failure;
  }
}

/** How many times each table was copied. */
export function copiesPerTable(tables: string[]): Record<string, number> {
  const copies: Record<string, number> = {};
  for (const table of tables) copies[table] = (copies[table] ?? 0) + 1;
  return copies;
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

/** The engine throws MigrationError once its transaction began (or its plan was refused before it did). */
function ranAndRolledBack(error: unknown): boolean {
  return error instanceof MigrationError && error.code !== 'plan-mismatch' && error.code !== 'in-transaction';
}
