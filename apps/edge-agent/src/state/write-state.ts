import { AGENT_STATE_ROW_ID, AGENT_TABLES_DDL, godwitApplyLog, godwitHeads, godwitRevisions, godwitState, type ApplyLogRow } from '@godwit/schema';
import { inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from '../db/open-database.js';

export interface StateChange {
  heads: string[];
  applied: { revision: string; checksum: string }[];
  removed: string[];
  bundle: { id: string; sequence: number };
  now: number;
}

/**
 * Records where the database now is. Called inside the migration transaction (runMigration's
 * beforeCommit), so the recorded revision commits or rolls back together with the schema.
 */
export function writeState(db: Db, change: StateChange): void {
  createTables(db);
  const orm = drizzle({ client: db });
  orm.delete(godwitHeads).run();
  if (change.heads.length > 0) orm.insert(godwitHeads).values(change.heads.map((revision) => ({ revision }))).run();
  if (change.removed.length > 0) orm.delete(godwitRevisions).where(inArray(godwitRevisions.revision, change.removed)).run();
  for (const { revision, checksum } of change.applied) {
    orm
      .insert(godwitRevisions)
      .values({ revision, checksum, bundleId: change.bundle.id, appliedAt: change.now })
      .onConflictDoUpdate({ target: godwitRevisions.revision, set: { checksum, bundleId: change.bundle.id, appliedAt: change.now } })
      .run();
  }
  // The caller passes the highest sequence ever applied: an --allow-rollback run must not lower it.
  orm
    .insert(godwitState)
    .values({ id: AGENT_STATE_ROW_ID, bundleSequence: change.bundle.sequence, bundleId: change.bundle.id, updatedAt: change.now })
    .onConflictDoUpdate({
      target: godwitState.id,
      set: { bundleSequence: change.bundle.sequence, bundleId: change.bundle.id, updatedAt: change.now },
    })
    .run();
}

export function appendApplyLog(db: Db, row: ApplyLogRow): void {
  createTables(db);
  drizzle({ client: db }).insert(godwitApplyLog).values(row).run();
}

function createTables(db: Db): void {
  for (const sql of AGENT_TABLES_DDL) db.exec(sql);
}
