export type MigrationErrorCode =
  | 'statement-failed'
  | 'foreign-key-violation'
  | 'validation-failed'
  | 'plan-mismatch'
  | 'in-transaction'
  /** A plan carried into the transaction (RunOptions.plan) was made from a schema that has since changed. */
  | 'schema-changed';

/**
 * A migration that did not complete; the database was rolled back to where it started.
 * `sqliteCode` keeps SQLite's own code (SQLITE_FULL, SQLITE_BUSY, ...) when SQLite raised it.
 */
export class MigrationError extends Error {
  readonly sqliteCode: string | undefined;

  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly revision?: string,
    readonly sql?: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    const causeCode = (cause as { code?: unknown } | undefined)?.code;
    this.sqliteCode = typeof causeCode === 'string' && causeCode.startsWith('SQLITE_') ? causeCode : undefined;
  }
}
