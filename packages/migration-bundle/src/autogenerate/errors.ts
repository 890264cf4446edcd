/** Why an autogenerate run stopped; the CLI maps `usage` to exit 2 and everything else to exit 1. */
export type AutogenerateErrorCode =
  | 'usage'
  | 'schema-load'
  | 'schema-render'
  | 'head'
  | 'unsupported-change';

export class AutogenerateError extends Error {
  constructor(
    readonly code: AutogenerateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AutogenerateError';
  }
}
