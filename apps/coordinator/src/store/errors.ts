/**
 * Every failure the service reports to a caller. The HTTP layer maps `code` to a status and the
 * CLI maps it to an exit code, each in one table (src/http/error-status.ts, src/cli/exit-codes.ts).
 */
export const ERROR_CODES = [
  'invalid-request',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'bundle-refused',
  'too-large',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class CoordinatorError extends Error {
  override readonly name = 'CoordinatorError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new CoordinatorError('not-found', `no such ${what}`);
