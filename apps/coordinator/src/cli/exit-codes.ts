import { ExitCode } from '@godwit/cli-frame';
import type { ErrorCode } from '../store/errors.js';

/** The coordinator's one table from the service's error codes to exit codes; anything else exits 1. */
export const EXIT_CODES = Object.freeze({
  'invalid-request': ExitCode.usage,
  'bundle-refused': ExitCode.bundleRefused,
  // Only bundle uploads come near the service's body caps.
  'too-large': ExitCode.bundleRefused,
  unauthorized: ExitCode.refused,
  forbidden: ExitCode.refused,
  'not-found': ExitCode.refused,
} satisfies Partial<Record<ErrorCode, ExitCode>>);
