import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The edge agent's own bookkeeping, kept inside the device database so that it commits in the same
 * transaction as the schema change it describes. Every name starts with `godwit_`: the engine's
 * schema introspection skips those, so bookkeeping never shows up as drift.
 */

/** The revisions the database is at. Several rows after a partial upgrade of a branched graph. */
export const godwitHeads = sqliteTable('godwit_heads', {
  revision: text('revision').primaryKey(),
});

/** Every applied revision with the chained checksum it had when applied (detects rewritten history). */
export const godwitRevisions = sqliteTable('godwit_revisions', {
  revision: text('revision').primaryKey(),
  checksum: text('checksum').notNull(),
  bundleId: text('bundle_id').notNull(),
  appliedAt: integer('applied_at').notNull(),
});

/** One row: the highest bundle sequence applied (rollback protection) and the bundle it came from. */
export const godwitState = sqliteTable('godwit_state', {
  id: integer('id').primaryKey(),
  bundleSequence: integer('bundle_sequence').notNull(),
  bundleId: text('bundle_id').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** One row per upgrade, downgrade or stamp run, whatever its outcome. JSON columns hold per-table maps. */
export const godwitApplyLog = sqliteTable('godwit_apply_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  command: text('command').notNull(),
  bundleId: text('bundle_id'),
  bundleSequence: integer('bundle_sequence'),
  /** Heads before, joined by ','; null at base. */
  fromRevision: text('from_revision'),
  toRevision: text('to_revision'),
  /** JSON array of the revision ids applied (or undone), in order. */
  revisions: text('revisions').notNull(),
  startedAt: integer('started_at').notNull(),
  durationMs: integer('duration_ms').notNull(),
  /** JSON object: table name → rows copied by its rebuild. */
  rowsCopied: text('rows_copied').notNull(),
  /** JSON objects: table name → bytes (its pages and its indexes' pages). */
  sizesBefore: text('sizes_before').notNull(),
  sizesAfter: text('sizes_after'),
  outcome: text('outcome').notNull(),
  error: text('error'),
  forced: integer('forced', { mode: 'boolean' }).notNull(),
  rollbackAllowed: integer('rollback_allowed', { mode: 'boolean' }).notNull(),
  /** With `forced`: the drift that was overridden, as the readable diff. */
  drift: text('drift'),
  /**
   * JSON object `{ carried, analysed }`: planner statistics (sqlite_stat1 rows, by table or index
   * name) carried over through rebuilds and renames, and measured anew. Null when the database has
   * no statistics or nothing committed. Added after the first release: older device databases gain
   * it with ALTER TABLE ADD COLUMN (see the agent's bookkeeping-ddl.ts).
   */
  statistics: text('statistics'),
});

export type ApplyLogRow = typeof godwitApplyLog.$inferInsert;
