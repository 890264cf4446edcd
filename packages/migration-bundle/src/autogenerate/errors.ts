/** Why an autogenerate run stopped. */
export type AutogenerateErrorCode =
  /** What the caller asked for is malformed or names what is not there: a casing, a rename, the schema file's path. */
  | 'invalid-input'
  /** The schema module failed to import or exports no sqlite-core table. */
  | 'schema-load'
  /** SQLite rejects the DDL the drizzle tables describe. */
  | 'schema-render'
  /** The change needs something the operations cannot say (a generated column). */
  | 'unsupported-change'
  /** The generated revision, applied, does not reach the schema: a bug to report, never written. */
  | 'self-check';

export class AutogenerateError extends Error {
  constructor(
    readonly code: AutogenerateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AutogenerateError';
  }
}
