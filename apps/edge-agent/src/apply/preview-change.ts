import type { PlannedRevision } from '@godwit/migration-bundle';
import type { Db } from '../db/open-database.js';
import { rowCount, tableExists, tableSizes } from '../db/table-sizes.js';
import { readOnlySteps, reportFacts } from './change-database.js';
import type { ChangeOptions } from './change-options.js';
import { assembleReport, type ChangeReport } from './change-report.js';
import { copiesPerTable } from './plan-change.js';

/** Rebuild throughput seen on this project's benchmark machine (copy, index builds, checks), for estimates. */
const REBUILD_BYTES_PER_SECOND = 30 * 1024 * 1024;
const REBUILD_ROWS_PER_SECOND = 250_000;

export interface RevisionPreview {
  revision: string;
  direction: 'up' | 'down';
  /** True when every statement is a native ALTER (no table is copied). */
  native: boolean;
  rebuilt: { table: string; rows: number; bytes: number }[];
  estimatedMs: number;
  statements: string[];
  /** Set when several revisions are planned as this one (all their ids, in order): their copies are shared. */
  coalesced?: string[];
}

export interface ChangePreview {
  report: ChangeReport;
  revisions: RevisionPreview[];
  /** Each revision's message, by id, for the script's headings. */
  messages: Record<string, string>;
}

/**
 * The plan `--dry-run` and `--sql` print: the one plan the real run would make, after the same
 * read-only checks, on a read-only connection. Estimates use the tables' current sizes, so a table
 * created earlier in the same plan counts as empty. Throws a refusal.
 */
export function previewChange(options: ChangeOptions): ChangePreview {
  let revisions: RevisionPreview[] = [];
  const read = readOnlySteps(options, (db, plan) => {
    const sizes = new Map<string, { rows: number; bytes: number }>();
    const measured = (table: string) => sizes.get(table) ?? sizes.set(table, measure(db, table)).get(table)!;
    revisions = plan.migration.runs.map((planned) => revisionPreview(planned, measured));
  });
  if (read.refusal) throw read.refusal;
  const change = read.plan && read.prepared?.change;
  const execution = change && {
    outcome: 'applied' as const,
    revisions: change.revisionIds,
    heads: change.toHeads,
    steps: [],
    copies: copiesPerTable(revisions.flatMap((r) => r.rebuilt.map((t) => t.table))),
    sizesBefore: {},
    sizesAfter: {},
  };
  const report = assembleReport({ ...reportFacts(options), ...read, execution, durationMs: 0, error: null });
  const messages = Object.fromEntries(options.bundle.manifest.revisions.map((r) => [r.id, r.message]));
  return { report, revisions, messages };
}

function revisionPreview(planned: PlannedRevision, measured: (table: string) => { rows: number; bytes: number }): RevisionPreview {
  const rebuilt = planned.rebuilt.map((table) => ({ table, ...measured(table) }));
  const bytes = rebuilt.reduce((sum, t) => sum + t.bytes, 0);
  const rows = rebuilt.reduce((sum, t) => sum + t.rows, 0);
  return {
    revision: planned.revision,
    direction: planned.direction,
    native: planned.rebuilt.length === 0,
    rebuilt,
    estimatedMs: Math.round(Math.max(bytes / REBUILD_BYTES_PER_SECOND, rows / REBUILD_ROWS_PER_SECOND) * 1000),
    statements: planned.statements.map((s) => s.sql),
    ...(planned.coalesced ? { coalesced: planned.coalesced } : {}),
  };
}

function measure(db: Db | null, table: string): { rows: number; bytes: number } {
  if (db === null || !tableExists(db, table)) return { rows: 0, bytes: 0 };
  return { rows: rowCount(db, table), bytes: tableSizes(db, [table])[table] ?? 0 };
}
