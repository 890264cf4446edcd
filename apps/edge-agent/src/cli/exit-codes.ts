import type { AgentErrorCode } from '../errors.js';

/** The contract's exit codes, by typed error: the only place an error becomes a number. */
export const EXIT_CODES: Readonly<Record<AgentErrorCode, number>> = Object.freeze({
  failed: 1,
  irreversible: 1,
  'no-backup': 1,
  usage: 2,
  'bundle-refused': 3,
  'history-rewritten': 3,
  'unknown-revision': 3,
  drift: 4,
  'rolled-back': 5,
  locked: 6,
  'disk-space': 6,
  integrity: 6,
  'read-only': 6,
});


/** Exit code of anything thrown: typed agent errors by the table, parse errors as usage, the rest 1. */
export function exitCodeOf(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in EXIT_CODES) return EXIT_CODES[code as AgentErrorCode];
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return EXIT_CODES.usage;
  return EXIT_CODES.failed;
}
