import { BUNDLE_ERROR_CODES } from '../bundle/errors.js';

/** The exit codes of the contract (DESIGN.md). */
export const ExitCode = Object.freeze({
  ok: 0,
  error: 1,
  usage: 2,
  bundleRefused: 3,
  drift: 4,
  rolledBack: 5,
  precheckFailed: 6,
} as const);

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The one table from a typed error's `code` to the exit code it ends a command with. Any code not
 * listed, and any error without one, exits 1.
 */
const EXIT_CODE_BY_ERROR_CODE: ReadonlyMap<string, ExitCode> = new Map<string, ExitCode>([
  ['usage', ExitCode.usage],
  // node:util parseArgs in strict mode
  ['ERR_PARSE_ARGS_UNKNOWN_OPTION', ExitCode.usage],
  ['ERR_PARSE_ARGS_INVALID_OPTION_VALUE', ExitCode.usage],
  ['ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL', ExitCode.usage],
  ...BUNDLE_ERROR_CODES.map((code) => [code, ExitCode.bundleRefused] as const),
  // MigrationError codes whose database was rolled back to where it started
  ['statement-failed', ExitCode.rolledBack],
  ['foreign-key-violation', ExitCode.rolledBack],
  ['validation-failed', ExitCode.rolledBack],
]);

export function exitCodeFor(error: unknown): ExitCode {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return (typeof code === 'string' && EXIT_CODE_BY_ERROR_CODE.get(code)) || ExitCode.error;
}
