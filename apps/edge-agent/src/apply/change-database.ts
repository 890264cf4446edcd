import { AgentError } from '../errors.js';
import type { ChangeOptions } from './change-options.js';
import { emptyReport, type ChangeReport } from './change-report.js';
import { prepareChange } from './prepare-change.js';
import { applyChange } from './apply-change.js';

export interface ChangeResult {
  report: ChangeReport;
  /** Why it was refused or rolled back; null when it succeeded. */
  error: AgentError | null;
}

/**
 * An upgrade or downgrade end to end: read-only checks, then (only if there is something to do)
 * the write path. Typed failures come back in the result, with the report filled as far as it got,
 * so that `--json` can print one object whatever happened.
 */
export async function changeDatabase(options: ChangeOptions): Promise<ChangeResult> {
  const started = performance.now();
  const report = emptyReport(options.command);
  report.bundle = { id: options.bundle.manifest.bundleId, sequence: options.bundle.manifest.sequence };
  report.rollbackAllowed = options.allowRollback;
  report.forced = options.force;
  const finish = (error: AgentError | null): ChangeResult => {
    report.durationMs = Math.round(performance.now() - started);
    if (error) {
      report.error = { code: error.code, message: error.message };
      if (report.outcome !== 'rolled-back') report.outcome = 'refused';
    }
    return { report, error };
  };
  try {
    const prepared = prepareChange(options, report);
    prepared.db?.close();
    report.drift = prepared.schema.diff;
    if (prepared.change.revisionIds.length === 0) {
      report.outcome = 'up-to-date';
      return finish(null);
    }
    await applyChange(options, prepared, report, started);
    return finish(null);
  } catch (error) {
    if (error instanceof AgentError) return finish(error);
    throw error;
  }
}
