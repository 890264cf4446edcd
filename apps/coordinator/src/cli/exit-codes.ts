import type { ErrorCode } from '../store/errors.js';

/** The exit codes of the contract (DESIGN.md), those the coordinator uses. */
export const ExitCode = Object.freeze({
  ok: 0,
  error: 1,
  usage: 2,
  bundleRefused: 3,
  refused: 7,
} as const);

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The one table from an error's `code` (the service's, or the CLI's own) to an exit code; anything else exits 1. */
const EXIT_CODES: ReadonlyMap<string, ExitCode> = new Map<string, ExitCode>([
  ['usage', ExitCode.usage],
  ['invalid-request', ExitCode.usage],
  ['bundle-refused', ExitCode.bundleRefused],
  // Only bundle uploads come near the service's body caps.
  ['too-large', ExitCode.bundleRefused],
  ['unauthorized', ExitCode.refused],
  ['forbidden', ExitCode.refused],
  ['not-found', ExitCode.refused],
] satisfies [ErrorCode | 'usage', ExitCode][]);

export function exitCodeFor(error: unknown): ExitCode {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return (typeof code === 'string' && EXIT_CODES.get(code)) || ExitCode.error;
}
