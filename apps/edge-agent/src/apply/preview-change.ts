import { planCoalesced, planSteps } from '@godwit/migration-bundle';
import Database from 'better-sqlite3';
import { rowCount, tableExists, tableSizes } from '../db/table-sizes.js';
import type { ChangeOptions } from './change-options.js';
import { emptyReport, type ChangeReport } from './change-report.js';
import { copiesPerTable } from './migrate.js';
import { prepareChange } from './prepare-change.js';

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
 * The plan `--dry-run` and `--sql` print: made from the live schema exactly as the real run would,
 * after the same read-only checks, on a read-only connection. Estimates use the tables' current
 * sizes, so a table created earlier in the same plan counts as empty.
 */
export function previewChange(options: ChangeOptions): ChangePreview {
  const report = emptyReport(options.command);
  report.bundle = { id: options.bundle.manifest.bundleId, sequence: options.bundle.manifest.sequence };
  const prepared = prepareChange(options, report);
  const db = prepared.db ?? new Database(':memory:');
  try {
    report.drift = prepared.schema.diff;
    report.outcome = prepared.change.revisionIds.length === 0 ? 'up-to-date' : 'applied';
    const sizes = new Map<string, { rows: number; bytes: number }>();
    const measure = (table: string) => {
      if (!sizes.has(table)) {
        const exists = tableExists(db, table);
        sizes.set(table, { rows: rowCount(db, table), bytes: exists ? (tableSizes(db, [table])[table] ?? 0) : 0 });
      }
      return sizes.get(table)!;
    };
    const plan = options.perRevision ? planSteps : planCoalesced;
    const revisions = plan(db, prepared.change.steps).map((planned): RevisionPreview => {
      const rebuilt = planned.rebuilt.map((table) => ({ table, ...measure(table) }));
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
    });
    report.copies = copiesPerTable(revisions.flatMap((r) => r.rebuilt.map((t) => t.table)));
    report.revisions = prepared.change.revisionIds;
    report.to = prepared.change.toHeads.length === 0 ? null : prepared.change.toHeads.join(',');
    const messages = Object.fromEntries(options.bundle.manifest.revisions.map((r) => [r.id, r.message]));
    return { report, revisions, messages };
  } finally {
    db.close();
  }
}
