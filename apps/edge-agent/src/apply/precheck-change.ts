import { checkFreeSpace } from '../db/free-space.js';
import { checkIntegrity } from '../db/integrity.js';
import type { Db } from '../db/open-database.js';
import { databaseBytes, tableSizes } from '../db/table-sizes.js';
import { probeWriteLock } from '../db/write-lock.js';
import { AgentError } from '../errors.js';
import type { ChangeOptions } from './change-options.js';
import type { ChangePlan } from './plan-change.js';

export interface Precheck {
  /** Bytes of each touched table with its indexes; null when a check refused before they were read. */
  sizesBefore: Record<string, number> | null;
  /** Why the change must not go ahead (exit 6); null when it may. */
  refusal: AgentError | null;
}

/**
 * On the write connection, before anything is written: the write lock is free, the tables the plan
 * touches without rebuilding them pass quick_check (see db/integrity.ts), and the disk can hold the
 * rebuilt tables twice over (and the backup).
 */
export function precheckChange(db: Db, plan: ChangePlan, options: ChangeOptions): Precheck {
  const { dbPath } = options;
  let sizesBefore: Record<string, number> | null = null;
  try {
    probeWriteLock(db, dbPath, options.lockTimeoutMs);
    checkIntegrity(db, dbPath, plan.touched.filter((table) => !plan.rebuilt.includes(table)), options.fullIntegrity);
    const sizes = tableSizes(db, plan.touched);
    sizesBefore = sizes;
    checkFreeSpace({
      dbPath,
      rebuiltBytes: plan.rebuilt.reduce((sum, table) => sum + (sizes[table] ?? 0), 0),
      databaseBytes: databaseBytes(db),
      backupDir: options.backup?.dir ?? null,
    });
    return { sizesBefore, refusal: null };
  } catch (error) {
    if (error instanceof AgentError) return { sizesBefore, refusal: error };
    throw error;
  }
}
