import { spaceShortfall, type SpaceNeeds } from '../db/free-space.js';
import { checkIntegrity } from '../db/integrity.js';
import type { Db } from '../db/open-database.js';
import { databaseBytes, tableSizes, usedBytes } from '../db/table-sizes.js';
import { probeWriteLock } from '../db/write-lock.js';
import { AgentError } from '../errors.js';
import type { ChangeOptions } from './change-options.js';
import type { ChangePlan } from './plan-change.js';

/**
 * On the write connection, before anything is written: the write lock is free, the tables the plan
 * touches without rebuilding them pass quick_check (see db/integrity.ts), and the disk can hold the
 * rebuilt tables twice over (and the backup). Returns why the change must not go ahead (exit 6),
 * or null when it may.
 */
export function precheckChange(db: Db, plan: ChangePlan, options: ChangeOptions): AgentError | null {
  const { dbPath } = options;
  try {
    probeWriteLock(db, dbPath, options.lockTimeoutMs);
    checkIntegrity(db, dbPath, plan.touched.filter((table) => !plan.rebuilt.includes(table)), options.fullIntegrity);
    return checkRoomForRebuilds(db, plan, { dbPath, databaseBytes: databaseBytes(db), backupDir: options.backup?.dir ?? null });
  } catch (error) {
    if (error instanceof AgentError) return error;
    throw error;
  }
}

/**
 * The pages in use bound the rebuilt tables' bytes from above, and read in constant time: when even
 * that fits, the check passes without walking a table (dbstat reads every page of it, a tenth of
 * what the copy costs). Only a disk too full for that bound gets the exact sizes.
 */
function checkRoomForRebuilds(db: Db, plan: ChangePlan, room: Omit<SpaceNeeds, 'rebuiltBytes'>): AgentError | null {
  const bounded = spaceShortfall({ ...room, rebuiltBytes: plan.rebuilt.length ? usedBytes(db) : 0 });
  if (!bounded || !plan.rebuilt.length) return bounded;
  const sizes = tableSizes(db, plan.rebuilt);
  return spaceShortfall({ ...room, rebuiltBytes: plan.rebuilt.reduce((sum, table) => sum + (sizes[table] ?? 0), 0) });
}
