import { runMigration, signedUpgradeSql } from '@godwit/migration-bundle';
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
  let committedHeads = prepared.state.heads;
  let validationFailure: AgentError | null = null;
  const logRow = (revisions: string[], to: string[], outcome: string, error: string | null, sizesAfter: Record<string, number> | null): ApplyLogEntry => ({
    command: options.command,
    bundleId: manifest.bundleId,
    bundleSequence: manifest.sequence,
    fromRevision: revisionLabel(committedHeads),
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
  });

  try {
    const runReports = runMigration(db, steps, {
      perRevision: options.perRevision,
      // Drift under --force is carried through by planning from the live schema, so the signed SQL cannot apply.
      expectedSql: options.force || options.command === 'downgrade' ? undefined : signedUpgradeSql(manifest, prepared.state.heads),
      onProgress: (progress) => {
        rowsCopied[progress.table] = progress.rowsCopied;
        options.onProgress?.(progress);
      },
      beforeCommit: (tx: Db, revisionIds: string[]) => {
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
        appendApplyLog(tx, logRow(revisionIds, heads, 'applied', null, report.sizesAfter));
        committedHeads = heads;
        report.to = revisionLabel(heads);
        report.revisions.push(...revisionIds);
      },
    });
    report.steps = runReports.map((r) => ({ revision: r.revision, direction: r.direction, durationMs: Math.round(r.durationMs), rebuilt: r.rebuilt }));
    report.outcome = 'applied';
  } catch (error) {
    const failure = explainFailure(error, validationFailure, options, prepared);
    // With --per-revision some revisions may have committed: the database says where it now is.
    const now = readState(db).heads;
    report.to = revisionLabel(now);
    report.outcome = failure.code === 'locked' && sameHeads(now, prepared.state.heads) ? 'refused' : 'rolled-back';
    const attempted = steps.map((s) => s.revision).filter((id) => !report.revisions.includes(id));
    try {
      db.transaction(() => appendApplyLog(db, logRow(attempted, now, report.outcome, failure.message, null)))();
    } catch {
      // A full disk can refuse the log row too; the exit code and message still say what happened.
    }
    throw failure;
  }
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
