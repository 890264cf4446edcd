import { planSteps, runMigration, signedUpgradeSql } from '@godwit/migration-bundle';
import { backupDatabase } from '../db/backup.js';
import { checkFreeSpace } from '../db/free-space.js';
import { checkIntegrity } from '../db/integrity.js';
import { openForWriting, type Db } from '../db/open-database.js';
import { databaseBytes, tableSizes } from '../db/table-sizes.js';
import { isLockError, lockedError, probeWriteLock } from '../db/write-lock.js';
import { AgentError } from '../errors.js';
import { revisionLabel } from '../state/agent-state.js';
import { readState } from '../state/read-state.js';
import { appendApplyLog, writeState, type ApplyLogEntry } from '../state/write-state.js';
import type { ChangeOptions } from './change-options.js';
import type { ChangeReport } from './change-report.js';
import type { PreparedChange } from './prepare-change.js';
import { compareSchema, onlyKnownDrift } from './preflight.js';
import { appliedClosure } from './resolve-change.js';
import { touchedTables } from './touched-tables.js';

/**
 * The write path: lock, plan, integrity and space pre-checks, backup, then the migration through
 * the engine's runMigration, whose beforeCommit validates the result and writes the bookkeeping in
 * the same transaction. A failure after BEGIN rolls back and is logged in a transaction of its own.
 */
export async function applyChange(options: ChangeOptions, prepared: PreparedChange, report: ChangeReport, started: number): Promise<void> {
  const { dbPath, lockTimeoutMs } = options;
  const db = openForWriting(dbPath, lockTimeoutMs);
  try {
    probeWriteLock(db, dbPath, lockTimeoutMs);
    const plan = planSteps(db, prepared.change.steps);
    const rebuilt = unique(plan.flatMap((p) => p.rebuilt));
    const touched = unique([...rebuilt, ...prepared.change.steps.flatMap((s) => touchedTables(db, s.operations))]);
    checkIntegrity(db, dbPath, touched.filter((t) => !rebuilt.includes(t)), options.fullIntegrity);
    report.sizesBefore = tableSizes(db, touched);
    checkFreeSpace({
      dbPath,
      rebuiltBytes: rebuilt.reduce((sum, t) => sum + (report.sizesBefore[t] ?? 0), 0),
      databaseBytes: databaseBytes(db),
      backupDir: options.backup?.dir ?? null,
    });
    if (options.backup) report.backup = await backupDatabase(db, dbPath, options.backup.dir, options.backup.keep);
    migrate(db, options, prepared, report, started, touched, rebuilt);
  } finally {
    db.close();
  }
}

function migrate(
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
          validationFailure = new AgentError(
            'rolled-back',
            `the schema after ${revisionIds.join(', ')} is not the one the bundle expects, so everything was rolled back; the database is unchanged: report this bundle to its publisher`,
            result.diff,
          );
          throw validationFailure;
        }
        for (const table of rebuilt) rowsCopied[table] ??= countRows(tx, table);
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

function explainFailure(error: unknown, validationFailure: AgentError | null, options: ChangeOptions, prepared: PreparedChange): AgentError {
  if (validationFailure) return validationFailure;
  if (error instanceof AgentError) return error;
  if (isLockError(error)) return lockedError(options.dbPath, options.lockTimeoutMs, error);
  const failed = error as { revision?: string; sql?: string; message?: string; code?: string; cause?: { code?: string } };
  const at = revisionLabel(prepared.state.heads) ?? 'base';
  const full = failed.code === 'SQLITE_FULL' || failed.cause?.code === 'SQLITE_FULL';
  // The engine's message starts with the revision, which this one names already.
  const reason = full ? 'the disk filled up' : (failed.message ?? String(error)).split('\n')[0]!.replace(/^revision \S+ failed: /, '');
  return new AgentError(
    'rolled-back',
    `revision ${failed.revision ?? '?'} failed (${reason}) and everything was rolled back; the database is still at ${at}: ` +
      (full ? 'free some space and retry' : 'fix the revision or the data it trips over, then retry'),
    failed.sql ? `failing statement: ${failed.sql}` : null,
    { cause: error },
  );
}

function countRows(db: Db, table: string): number {
  if (!tableExists(db, table)) return 0;
  return (db.prepare(`SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`).get() as { n: number }).n;
}

function tableExists(db: Db, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE").get(table) !== undefined;
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
