import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MigrationResult } from '@godwit/fleet-protocol';
import type { ChangeReport } from '../apply/change-report.js';
import type { BundleScan } from '../bundle/newest-bundle.js';
import type { AgentError } from '../errors.js';
import type { ApplyResult } from './apply-runner.js';
import type { DeviceLedger } from './device-ledger.js';
import { oneRevision } from './live-database.js';
import { oneLine } from './reportable-result.js';
import { upgradeWork } from './upgrade-work.js';

/** What `changeDatabase` did, in the shape the apply process sends back. */
export function applyResultOf(report: ChangeReport, error: AgentError | null): ApplyResult {
  return {
    from: report.from,
    to: report.to,
    revisions: report.revisions,
    outcome: report.outcome,
    durationMs: report.durationMs,
    forced: report.forced,
    error: error && { code: error.code, message: error.message },
    ...upgradeWork(
      report.steps.length === 0 ? null : report.steps.reduce((sum, step) => sum + step.rebuilt.reduce((n, table) => n + table.rowsCopied, 0), 0),
      report.sizesBefore,
      report.sizesAfter,
    ),
  };
}

/** A run's result as a migration event: `from`/`to` default to where the database is. */
export function resultOfRun(run: ApplyResult, revision: string | null): MigrationResult {
  const result: MigrationResult = {
    at: Date.now() - run.durationMs,
    from: run.from === null ? revision : oneRevision(run.from),
    to: run.to === null ? revision : oneRevision(run.to),
    revisions: run.revisions,
    outcome: run.outcome,
    durationMs: run.durationMs,
  };
  if (run.error) result.error = oneLine(run.error.message);
  if (run.forced) result.forced = true;
  if (run.rowsCopied !== undefined) result.rowsCopied = run.rowsCopied;
  if (run.tableSizes !== undefined) result.tableSizes = run.tableSizes;
  return result;
}

/** A bundle refused before anything ran: the database stays where it is. */
export function refusal(error: AgentError, revision: string | null): MigrationResult {
  return { at: Date.now(), from: revision, to: revision, revisions: [], outcome: 'refused', durationMs: 0, error: oneLine(error.message) };
}

/** Files of the bundles folder that failed verification: one "refused" event per distinct content. */
export function recordScanRefusals(scan: BundleScan, ledger: DeviceLedger): void {
  for (const { path, error } of scan.refused) {
    const sha256 = fileSha256(path);
    if (sha256 !== null && ledger.outbox.markBundleSeen(sha256)) {
      ledger.outbox.record({ results: [refusal(error, ledger.outbox.state?.revision ?? null)] });
    }
  }
}

function fileSha256(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}
