import { ExitCode, exitCodeFor as frameExitCodeFor, type ExitCodeTable } from '@godwit/cli-frame';
import { BUNDLE_ERROR_CODES } from '../bundle/errors.js';

export { ExitCode } from '@godwit/cli-frame';

/**
 * mbundle's one table from a typed error's `code` to the exit code it ends a command with. Usage
 * mistakes exit 2; any code not listed, and any error without one, exits 1.
 */
export const EXIT_CODES: ExitCodeTable = Object.freeze({
  // Autogenerate: an option value that is malformed or names what is not there.
  'invalid-input': ExitCode.usage,
  // `check` printed what does not hold.
  'check-failed': ExitCode.error,
  ...Object.fromEntries(BUNDLE_ERROR_CODES.map((code) => [code, ExitCode.bundleRefused])),
  // MigrationError codes whose database was rolled back to where it started
  'statement-failed': ExitCode.rolledBack,
  'foreign-key-violation': ExitCode.rolledBack,
  'validation-failed': ExitCode.rolledBack,
});

export function exitCodeFor(error: unknown): ExitCode {
  return frameExitCodeFor(EXIT_CODES, error);
}
