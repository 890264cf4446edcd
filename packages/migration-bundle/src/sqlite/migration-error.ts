export type MigrationErrorCode =
  | 'statement-failed'
  | 'foreign-key-violation'
  | 'validation-failed'
  | 'plan-mismatch'
  | 'in-transaction';

/** A migration that did not complete; the database was rolled back to where it started. */
export class MigrationError extends Error {
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly revision?: string,
    readonly sql?: string,
  ) {
    super(message);
  }
}
