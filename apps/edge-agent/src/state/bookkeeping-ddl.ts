/**
 * The CREATE statements for the bookkeeping tables defined with drizzle-orm in
 * packages/schema/src/agent/tables.ts (the schema of record). The agent writes them with plain SQL:
 * loading drizzle and the schema package would cost more than the whole boot check.
 * `bookkeeping.test.ts` proves these statements, the agent's reads and writes and the drizzle
 * definitions agree.
 */
export const BOOKKEEPING_DDL: readonly string[] = Object.freeze([
  `CREATE TABLE IF NOT EXISTS godwit_heads (revision TEXT PRIMARY KEY NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS godwit_revisions (
    revision TEXT PRIMARY KEY NOT NULL,
    checksum TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS godwit_state (
    id INTEGER PRIMARY KEY,
    bundle_sequence INTEGER NOT NULL,
    bundle_id TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS godwit_apply_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    bundle_id TEXT,
    bundle_sequence INTEGER,
    from_revision TEXT,
    to_revision TEXT,
    revisions TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    rows_copied TEXT NOT NULL,
    sizes_before TEXT NOT NULL,
    sizes_after TEXT,
    outcome TEXT NOT NULL,
    error TEXT,
    forced INTEGER NOT NULL,
    rollback_allowed INTEGER NOT NULL,
    drift TEXT,
    statistics TEXT
  )`,
]);

/**
 * Nullable columns added to a bookkeeping table after devices already had it: `CREATE TABLE IF NOT
 * EXISTS` leaves an existing table as it is, so each is added with ALTER TABLE when missing.
 */
export const BOOKKEEPING_ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = Object.freeze([
  { table: 'godwit_apply_log', column: 'statistics', type: 'TEXT' },
]);
