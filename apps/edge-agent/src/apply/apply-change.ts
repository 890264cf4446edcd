import { planSteps } from '@godwit/migration-bundle';
import { backupDatabase } from '../db/backup.js';
import { checkFreeSpace } from '../db/free-space.js';
import { checkIntegrity } from '../db/integrity.js';
import { openForWriting } from '../db/open-database.js';
import { databaseBytes, tableSizes } from '../db/table-sizes.js';
import { checkWritable } from '../db/writable.js';
import { probeWriteLock } from '../db/write-lock.js';
import type { ChangeOptions } from './change-options.js';
import type { ChangeReport } from './change-report.js';
import type { PreparedChange } from './prepare-change.js';
import { migrate } from './migrate.js';
import { touchedTables } from './touched-tables.js';

/**
 * The write path: lock, plan, integrity and space pre-checks, backup, then the migration through
 * the engine's runMigration, whose beforeCommit validates the result and writes the bookkeeping in
 * the same transaction. A failure after BEGIN rolls back and is logged in a transaction of its own.
 */
export async function applyChange(options: ChangeOptions, prepared: PreparedChange, report: ChangeReport, started: number): Promise<void> {
  const { dbPath, lockTimeoutMs } = options;
  checkWritable(dbPath, options.backup?.dir ?? null);
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

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
