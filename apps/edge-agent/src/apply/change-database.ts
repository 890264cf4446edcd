import { backupDatabase } from '../db/backup.js';
import { openForReading, openForWriting, type Db } from '../db/open-database.js';
import { checkWritable } from '../db/writable.js';
import { AgentError } from '../errors.js';
import type { AgentState } from '../state/agent-state.js';
import { readState } from '../state/read-state.js';
import type { ChangeOptions } from './change-options.js';
import { assembleReport, type ChangeReport, type ReportInputs } from './change-report.js';
import { executeChange } from './execute-change.js';
import { planChange, type ChangePlan } from './plan-change.js';
import { precheckChange } from './precheck-change.js';
import { prepareChange, type PreparedChange } from './prepare-change.js';

export interface ChangeResult {
  report: ChangeReport;
  /** Why it was refused or rolled back; null when it succeeded. */
  error: AgentError | null;
}

/** The read-only half's results: `plan` only when there is something to do; `refusal` ends the change. */
export interface ReadOnlySteps {
  state?: AgentState;
  prepared?: PreparedChange;
  plan?: ChangePlan;
  refusal: AgentError | null;
}

type StepResults = Omit<ReportInputs, 'command' | 'bundle' | 'forced' | 'rollbackAllowed' | 'durationMs' | 'error'>;

/**
 * An upgrade or downgrade end to end: prepare (read-only checks) → plan once → pre-check → backup
 * → execute, each step returning its result; the report is assembled from those at the end, also
 * when a step refused, so that `--json` prints one object with everything known so far.
 */
export async function changeDatabase(options: ChangeOptions): Promise<ChangeResult> {
  const started = performance.now();
  const finish = (steps: StepResults, error: AgentError | null): ChangeResult => ({
    report: assembleReport({ ...reportFacts(options), ...steps, durationMs: Math.round(performance.now() - started), error }),
    error,
  });
  const read = readOnlySteps(options);
  if (read.refusal || !read.prepared || !read.plan) return finish(read, read.refusal);
  const { prepared, plan } = read;
  let known: StepResults = read;
  try {
    checkWritable(options.dbPath, options.backup?.dir ?? null);
    const db = openForWriting(options.dbPath, options.lockTimeoutMs);
    try {
      const refusal = precheckChange(db, plan, options);
      if (refusal) return finish(known, refusal);
      if (options.backup) known = { ...known, backup: await backupDatabase(db, options.dbPath, options.backup.dir, options.backup.keep) };
      const execution = executeChange(db, { options, prepared, plan, started });
      return finish({ ...known, execution }, execution.error);
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof AgentError) return finish(known, error);
    throw error;
  }
}

/** What a report says about the command itself, whatever its steps returned. */
export function reportFacts(options: ChangeOptions): Pick<ReportInputs, 'command' | 'bundle' | 'forced' | 'rollbackAllowed'> {
  return { command: options.command, bundle: options.bundle.manifest, forced: options.force, rollbackAllowed: options.allowRollback };
}

/**
 * Prepare, then plan once, on one read-only connection (so a refused run cannot write, not even a
 * WAL checkpoint). `use` sees the connection (null for a file that does not exist yet) before it closes.
 */
export function readOnlySteps(options: ChangeOptions, use?: (db: Db | null, plan: ChangePlan) => void): ReadOnlySteps {
  let state: AgentState | undefined;
  let db: Db | null = null;
  try {
    db = openForReading(options.dbPath, options.lockTimeoutMs);
    state = readState(db);
    const prepared = prepareChange(db, state, options);
    if (prepared.change.revisionIds.length === 0) return { state, prepared, refusal: null };
    const plan = planChange(db, prepared, options);
    use?.(db, plan);
    return { state, prepared, plan, refusal: null };
  } catch (error) {
    if (error instanceof AgentError) return { state, refusal: error };
    throw error;
  } finally {
    db?.close();
  }
}
