import { planMigration, type MigrationPlan } from '@godwit/migration-bundle';
import Database from 'better-sqlite3';
import type { Db } from '../db/open-database.js';
import type { ChangeOptions } from './change-options.js';
import type { PreparedChange } from './prepare-change.js';
import { touchedTables } from './touched-tables.js';

/** The one plan of a change: what the pre-checks look at, what --dry-run prints, what runs. */
export interface ChangePlan {
  /** The engine's plan, carried into the write transaction (which re-checks schema_version). */
  migration: MigrationPlan;
  /** Tables copied by a rebuild. */
  rebuilt: string[];
  /** Existing tables the change touches, rebuilt ones included. */
  touched: string[];
}

/**
 * Plans the change once, from the live schema on the read-only connection (an empty schema for a
 * database that does not exist yet), coalesced unless --per-revision, exactly as it will run.
 */
export function planChange(db: Db | null, prepared: PreparedChange, options: Pick<ChangeOptions, 'perRevision'>): ChangePlan {
  const source = db ?? new Database(':memory:');
  try {
    const { steps } = prepared.change;
    const migration = planMigration(source, steps, { perRevision: options.perRevision, coalesce: !options.perRevision });
    const rebuilt = unique(migration.runs.flatMap((run) => run.rebuilt));
    const touched = unique([...rebuilt, ...steps.flatMap((step) => touchedTables(source, step.operations))]);
    return { migration, rebuilt, touched };
  } finally {
    if (source !== db) source.close();
  }
}

/** How many times each table is copied. */
export function copiesPerTable(tables: string[]): Record<string, number> {
  const copies: Record<string, number> = {};
  for (const table of tables) copies[table] = (copies[table] ?? 0) + 1;
  return copies;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
