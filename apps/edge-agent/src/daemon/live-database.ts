import { emptySchema, fingerprintOf, readSchema, REVISION_ID, type SchemaDescription } from '@godwit/migration-bundle/device';
import { OUTCOMES, type MigrationResult, type Outcome } from '@godwit/fleet-protocol';
import { openForReading, type Db } from '../db/open-database.js';
import { readState } from '../state/read-state.js';
import type { ReportedState } from './outbox-store.js';
import { numbersByTable, upgradeWork } from './upgrade-work.js';
import { oneLine } from './reportable-result.js';

/** The device database as a report describes it, and its apply-log rows not yet turned into events. */
export interface LiveDatabase {
  state: ReportedState;
  bundleId: string | null;
  schema: SchemaDescription;
  /** Apply-log rows with an id above the one asked for, oldest first. */
  logRows: { id: number; result: MigrationResult }[];
  /** The highest apply-log id in the database (0 when it has none). */
  maxLogId: number;
}

/** Reads it on a read-only connection: the application's schema and rows are never written. */
export function readLiveDatabase(dbPath: string, lockTimeoutMs: number, afterLogId: number): LiveDatabase {
  const db = openForReading(dbPath, lockTimeoutMs);
  if (db === null) {
    const schema = emptySchema();
    return { state: { revision: null, fingerprint: fingerprintOf(schema), bundleSequence: null }, bundleId: null, schema, logRows: [], maxLogId: 0 };
  }
  try {
    const agent = readState(db);
    const schema = readSchema(db);
    const { rows, maxLogId } = readApplyLog(db, afterLogId);
    return {
      state: { revision: reportedRevision(agent.heads), fingerprint: fingerprintOf(schema), bundleSequence: agent.bundleSequence },
      bundleId: agent.bundleId,
      schema,
      logRows: rows,
      maxLogId,
    };
  } finally {
    db.close();
  }
}

/**
 * The protocol carries one revision id. A database at several heads (after a partial upgrade of a
 * branched graph) reports the last of them in the bundle's order; its fingerprint still says
 * exactly where it is.
 */
export function reportedRevision(heads: readonly string[]): string | null {
  return heads.length === 0 ? null : heads[heads.length - 1]!;
}

interface ApplyLogRow {
  id: number;
  from_revision: string | null;
  to_revision: string | null;
  revisions: string;
  started_at: number;
  duration_ms: number;
  outcome: string;
  error: string | null;
  forced: number;
  rows_copied: string;
  sizes_before: string;
  sizes_after: string | null;
}

function readApplyLog(db: Db, afterLogId: number): { rows: { id: number; result: MigrationResult }[]; maxLogId: number } {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'godwit_apply_log'").get() !== undefined;
  if (!exists) return { rows: [], maxLogId: 0 };
  const maxLogId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM godwit_apply_log').get()?.id ?? 0;
  const rows = db
    .prepare<[number], ApplyLogRow>(
      'SELECT id, from_revision, to_revision, revisions, started_at, duration_ms, outcome, error, forced, rows_copied, sizes_before, sizes_after FROM godwit_apply_log WHERE id > ? ORDER BY id',
    )
    .all(afterLogId);
  return { rows: rows.flatMap((row) => (OUTCOMES.includes(row.outcome as Outcome) ? [{ id: row.id, result: resultOf(row) }] : [])), maxLogId };
}

/** An apply-log row in the protocol's MigrationResult shape. */
function resultOf(row: ApplyLogRow): MigrationResult {
  const result: MigrationResult = {
    at: row.started_at,
    from: oneRevision(row.from_revision),
    to: oneRevision(row.to_revision),
    revisions: parseRevisions(row.revisions),
    outcome: row.outcome as Outcome,
    durationMs: Math.max(0, row.duration_ms),
    ...upgradeWork(
      Object.values(numbersByTable(row.rows_copied)).reduce((sum, n) => sum + n, 0),
      numbersByTable(row.sizes_before),
      numbersByTable(row.sizes_after),
    ),
  };
  if (row.error !== null) result.error = oneLine(row.error);
  if (row.forced === 1) result.forced = true;
  return result;
}

/** A revision label of the apply log or a report (several heads joined by ',') as one revision id. */
export function oneRevision(label: string | null): string | null {
  return label === null ? null : reportedRevision(label.split(','));
}

function parseRevisions(text: string): string[] {
  try {
    const ids: unknown = JSON.parse(text);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string' && REVISION_ID.test(id)) : [];
  } catch {
    return [];
  }
}
