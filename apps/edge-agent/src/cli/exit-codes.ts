import { ExitCode, exitCodeFor } from '@godwit/cli-frame';
import type { AgentErrorCode } from '../errors.js';

/** The contract's exit codes, by typed error: the only place an agent error becomes a number. */
export const EXIT_CODES: Readonly<Record<AgentErrorCode, ExitCode>> = Object.freeze({
  failed: ExitCode.error,
  irreversible: ExitCode.error,
  'no-backup': ExitCode.error,
  usage: ExitCode.usage,
  'bundle-refused': ExitCode.bundleRefused,
  'history-rewritten': ExitCode.bundleRefused,
  'unknown-revision': ExitCode.bundleRefused,
  drift: ExitCode.drift,
  'rolled-back': ExitCode.rolledBack,
  locked: ExitCode.precheckFailed,
  'schema-changed': ExitCode.precheckFailed,
  'disk-space': ExitCode.precheckFailed,
  integrity: ExitCode.precheckFailed,
  'read-only': ExitCode.precheckFailed,
});

/** Exit code of anything thrown: typed agent errors by the table, parse errors as usage, the rest 1. */
export function exitCodeOf(error: unknown): ExitCode {
  return exitCodeFor(EXIT_CODES, error);
}
