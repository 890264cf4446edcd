/**
 * The CREATE statements for the tables in `tables.ts`. drizzle-orm has no run-time DDL, and a device
 * must create them without drizzle-kit; `ddl.test.ts` proves both describe the same columns.
 */
export const AGENT_TABLES_DDL: readonly string[] = Object.freeze([
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
    drift TEXT
  )`,
]);

/** The row of `godwit_state`: there is only ever one. */
export const AGENT_STATE_ROW_ID = 1;
