import { DrizzleQueryError } from 'drizzle-orm/errors';

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

/** The error in a failed query's cause chain that carries the SQLSTATE (the driver's own), if any. */
export function sqlErrorOf(error: unknown): (Error & { code: string }) | null {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 10; depth++, e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return e as Error & { code: string };
  }
  return null;
}

export function sqlStateOf(error: unknown): string | null {
  return sqlErrorOf(error)?.code ?? null;
}

/**
 * One line for the log. A failed query is named by its SQL state and first words only: drizzle's
 * message carries the query's parameters, which can be a device's secret hash or another tenant's
 * report.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof DrizzleQueryError) {
    const words = error.query.trim().split(/\s+/).slice(0, 3).join(' ');
    return `database query failed (SQLSTATE ${sqlStateOf(error) ?? 'unknown'}): ${words} ...`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}
