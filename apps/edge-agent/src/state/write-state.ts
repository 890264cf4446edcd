import type { Db } from '../db/open-database.js';
import { BOOKKEEPING_ADDED_COLUMNS, BOOKKEEPING_DDL } from './bookkeeping-ddl.js';

export interface StateChange {
  heads: string[];
  applied: { revision: string; checksum: string }[];
  removed: string[];
  bundle: { id: string; sequence: number };
  now: number;
}

/** A row of godwit_apply_log (columns as in packages/schema/src/agent/tables.ts). */
export interface ApplyLogEntry {
  command: string;
  bundleId: string | null;
  bundleSequence: number | null;
  fromRevision: string | null;
  toRevision: string | null;
  revisions: string;
  startedAt: number;
  durationMs: number;
  rowsCopied: string;
  sizesBefore: string;
  sizesAfter: string | null;
  outcome: string;
  error: string | null;
  forced: boolean;
  rollbackAllowed: boolean;
  drift: string | null;
  /** JSON `{ carried, analysed }` of the planner statistics; null or absent when there are none. */
  statistics?: string | null;
}

/**
 * Records where the database now is. Called inside the migration transaction (runMigration's
 * beforeCommit), so the recorded revision commits or rolls back together with the schema.
 */
export function writeState(db: Db, change: StateChange): void {
  createTables(db);
  db.prepare('DELETE FROM godwit_heads').run();
  const head = db.prepare('INSERT INTO godwit_heads (revision) VALUES (?)');
  for (const revision of change.heads) head.run(revision);
  const forget = db.prepare('DELETE FROM godwit_revisions WHERE revision = ?');
  for (const revision of change.removed) forget.run(revision);
  const applied = db.prepare(
    `INSERT INTO godwit_revisions (revision, checksum, bundle_id, applied_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (revision) DO UPDATE SET checksum = excluded.checksum, bundle_id = excluded.bundle_id, applied_at = excluded.applied_at`,
  );
  for (const { revision, checksum } of change.applied) applied.run(revision, checksum, change.bundle.id, change.now);
  // The caller passes the highest sequence ever applied: an --allow-rollback run must not lower it.
  db.prepare(
    `INSERT INTO godwit_state (id, bundle_sequence, bundle_id, updated_at) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET bundle_sequence = excluded.bundle_sequence, bundle_id = excluded.bundle_id, updated_at = excluded.updated_at`,
  ).run(change.bundle.sequence, change.bundle.id, change.now);
}

export function appendApplyLog(db: Db, entry: ApplyLogEntry): void {
  createTables(db);
  db.prepare(
    `INSERT INTO godwit_apply_log (command, bundle_id, bundle_sequence, from_revision, to_revision, revisions, started_at, duration_ms,
       rows_copied, sizes_before, sizes_after, outcome, error, forced, rollback_allowed, drift, statistics)
     VALUES (@command, @bundleId, @bundleSequence, @fromRevision, @toRevision, @revisions, @startedAt, @durationMs,
       @rowsCopied, @sizesBefore, @sizesAfter, @outcome, @error, @forced, @rollbackAllowed, @drift, @statistics)`,
  ).run({ ...entry, forced: entry.forced ? 1 : 0, rollbackAllowed: entry.rollbackAllowed ? 1 : 0, statistics: entry.statistics ?? null });
}

/** Creates the tables a database lacks, and the columns added since an older agent created them. */
function createTables(db: Db): void {
  for (const sql of BOOKKEEPING_DDL) db.exec(sql);
  for (const { table, column, type } of BOOKKEEPING_ADDED_COLUMNS) {
    const present = db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column);
    if (!present) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}
