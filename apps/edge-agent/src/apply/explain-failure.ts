import { MigrationError } from '@godwit/migration-bundle';
import { isLockError, lockedError } from '../db/write-lock.js';
import { AgentError } from '../errors.js';
import { revisionLabel } from '../state/agent-state.js';
import type { ChangeOptions } from './change-options.js';
import type { PreparedChange } from './prepare-change.js';

/** The result differs from the bundle's expected schema: the transaction is rolled back (exit 5). */
export function validationError(revisionIds: string[], diff: string): AgentError {
  return new AgentError(
    'rolled-back',
    `the schema after ${revisionIds.join(', ')} is not the one the bundle expects, so everything was rolled back; the database is unchanged: report this bundle to its publisher`,
    diff,
  );
}

/** What a failed runMigration means for the user: locked or changed under it (exit 6) or rolled back (exit 5), and why. */
export function explainFailure(error: unknown, validationFailure: AgentError | null, options: ChangeOptions, prepared: PreparedChange): AgentError {
  if (validationFailure) return validationFailure;
  if (error instanceof AgentError) return error;
  if (isLockError(error)) return lockedError(options.dbPath, options.lockTimeoutMs, error);
  if (error instanceof MigrationError && error.code === 'schema-changed') {
    return new AgentError(
      'schema-changed',
      `the schema of ${options.dbPath} was changed by another process while the ${options.command} was being prepared, so nothing was changed: retry (every check runs again)`,
      error.message,
      { cause: error },
    );
  }
  const failed = error as { revision?: string; sql?: string; message?: string; code?: string; cause?: { code?: string } };
  const at = revisionLabel(prepared.state.heads) ?? 'base';
  // The engine's MigrationError keeps SQLite's message but not its code: SQLITE_FULL reads "database or disk is full".
  const full = failed.code === 'SQLITE_FULL' || failed.cause?.code === 'SQLITE_FULL' || /database or disk is full/.test(failed.message ?? '');
  // The engine's message starts with the revision, which this one names already.
  const reason = full ? 'the disk filled up' : (failed.message ?? String(error)).split('\n')[0]!.replace(/^revision \S+ failed: /, '');
  return new AgentError(
    'rolled-back',
    `revision ${failed.revision ?? '?'} failed (${reason}) and everything was rolled back; the database is still at ${at}: ` +
      (full ? 'free some space and retry' : 'fix the revision or the data it trips over, then retry'),
    failed.sql ? `failing statement: ${failed.sql}` : null,
    { cause: error },
  );
}
