/** The exit codes of the public contract (docs/contract.md), for all three programs. */
export const ExitCode = Object.freeze({
  ok: 0,
  error: 1,
  usage: 2,
  bundleRefused: 3,
  drift: 4,
  rolledBack: 5,
  precheckFailed: 6,
  /** Coordinator clients: the service refused the token, or the tenant has no such object. */
  refused: 7,
} as const);

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A program's one table from a typed error's `code` to the exit code it ends a command with. */
export type ExitCodeTable = Readonly<Record<string, ExitCode>>;

/** A mistake in how a command was called: exit code 2 in every program. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

/**
 * The exit code `error` ends a command with: its `code` looked up in `table`, the frame's own
 * usage errors and node:util parseArgs's as 2, anything else 1.
 */
export function exitCodeFor(table: ExitCodeTable, error: unknown): ExitCode {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return ExitCode.error;
  if (Object.hasOwn(table, code)) return table[code]!;
  if (code === 'usage' || code.startsWith('ERR_PARSE_ARGS_')) return ExitCode.usage;
  return ExitCode.error;
}
