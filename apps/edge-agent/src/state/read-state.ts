import type { Db } from '../db/open-database.js';
import { EMPTY_STATE, type AgentState } from './agent-state.js';

/**
 * Reads the bookkeeping tables with plain SQL rather than drizzle: this runs on every boot, and
 * loading drizzle (and every table module of @godwit/schema) would cost more than the read itself.
 * The column names are those of packages/schema/src/agent/tables.ts.
 */
export function readState(db: Db | null): AgentState {
  if (db === null) return EMPTY_STATE;
  const present = new Set(
    db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('godwit_heads', 'godwit_revisions', 'godwit_state')")
      .all()
      .map((row) => row.name),
  );
  if (!present.has('godwit_heads')) return EMPTY_STATE;
  const heads = db.prepare<[], { revision: string }>('SELECT revision FROM godwit_heads ORDER BY revision').all().map((row) => row.revision);
  const checksums = new Map(
    present.has('godwit_revisions')
      ? db.prepare<[], { revision: string; checksum: string }>('SELECT revision, checksum FROM godwit_revisions').all().map((row) => [row.revision, row.checksum] as const)
      : [],
  );
  const state = present.has('godwit_state')
    ? db.prepare<[], { bundle_sequence: number; bundle_id: string }>('SELECT bundle_sequence, bundle_id FROM godwit_state WHERE id = 1').get()
    : undefined;
  return { heads, checksums, bundleSequence: state?.bundle_sequence ?? null, bundleId: state?.bundle_id ?? null };
}
