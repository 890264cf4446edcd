import type { Db } from '../db/open-database.js';
import type { AgentState } from '../state/agent-state.js';
import { revisionLabel } from '../state/agent-state.js';
import type { ChangeOptions } from './change-options.js';
import { checkChecksums, checkSequence, compareSchema, driftError, type SchemaComparison } from './preflight.js';
import { resolveChange, type ResolvedChange } from './resolve-change.js';

/** What the read-only checks established: where the database is, what to run, and its schema. */
export interface PreparedChange {
  state: AgentState;
  change: ResolvedChange;
  schema: SchemaComparison;
}

/**
 * Every check that needs no write access, on the read-only connection (null for a file that does
 * not exist yet), so a refusal leaves the file untouched: rollback, rewritten history, target,
 * drift (unless --force). Throws the refusal.
 */
export function prepareChange(db: Db | null, state: AgentState, options: ChangeOptions): PreparedChange {
  const { manifest, path } = options.bundle;
  checkSequence(manifest, path, state, options.allowRollback);
  checkChecksums(manifest, path, state);
  const change = resolveChange(manifest, path, state, options.command === 'upgrade' ? 'up' : 'down', options.target);
  const schema = compareSchema(db, manifest, state.heads);
  if (schema.diff !== null && !options.force) {
    throw driftError(options.dbPath, revisionLabel(state.heads), schema.diff, `edge-agent ${options.command}`);
  }
  return { state, change, schema };
}
