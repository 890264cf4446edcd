import { openForReading, type Db } from '../db/open-database.js';
import { readState } from '../state/read-state.js';
import type { AgentState } from '../state/agent-state.js';
import type { ChangeOptions } from './change-options.js';
import type { ChangeReport } from './change-report.js';
import { checkChecksums, checkSequence, compareSchema, driftError, type SchemaComparison } from './preflight.js';
import { resolveChange, type ResolvedChange } from './resolve-change.js';
import { revisionLabel } from '../state/agent-state.js';

export interface PreparedChange {
  /** Read-only; null for a database file that does not exist yet. The caller closes it. */
  db: Db | null;
  state: AgentState;
  change: ResolvedChange;
  schema: SchemaComparison;
}

/**
 * Every check that needs no write access, on a read-only connection, so a refusal leaves the file
 * untouched: rollback, rewritten history, target, drift (unless --force).
 */
export function prepareChange(options: ChangeOptions, report: ChangeReport): PreparedChange {
  const db = openForReading(options.dbPath, options.lockTimeoutMs);
  try {
    const state = readState(db);
    report.from = report.to = revisionLabel(state.heads);
    const { manifest, path } = options.bundle;
    checkSequence(manifest, path, state, options.allowRollback);
    checkChecksums(manifest, path, state);
    const direction = options.command === 'upgrade' ? 'up' : 'down';
    const change = resolveChange(manifest, path, state, direction, options.target);
    const schema = compareSchema(db, manifest, state.heads);
    if (schema.diff !== null && !options.force) {
      throw driftError(options.dbPath, revisionLabel(state.heads), schema.diff, `edge-agent ${options.command}`);
    }
    return { db, state, change, schema };
  } catch (error) {
    db?.close();
    throw error;
  }
}
