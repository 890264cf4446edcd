import { MAX_ERROR_CHARS, validateMigrationResult, type MigrationResult } from '@godwit/fleet-protocol';

// With the u flag, a surrogate pair is one code point: only lone surrogates match.
const UNSTORABLE = /[\u0000\p{Cs}]/gu;

/**
 * A result the coordinator will take. An event is reported until the coordinator confirms it and
 * goes first into every later report, so one it refused would block every report after it for
 * good. What the protocol would refuse is mended before the event is recorded: the error on one
 * line, cut, unstorable characters replaced; if still refused, the event without its measurements;
 * last, a bare event that says why it could not be reported as it was.
 */
export function reportableResult(result: MigrationResult): MigrationResult {
  const mended = result.error === undefined ? result : { ...result, error: oneLine(result.error) };
  try {
    return validateMigrationResult(mended);
  } catch {
    const { rowsCopied: _rows, tableSizes: _sizes, ...bare } = mended;
    try {
      return validateMigrationResult(bare);
    } catch (error) {
      const at = Number.isSafeInteger(result.at) && result.at >= 0 ? result.at : Date.now();
      return { at, from: null, to: null, revisions: [], outcome: result.outcome, durationMs: 0, error: oneLine(`event not reportable as recorded: ${(error as Error).message}`) };
    }
  }
}

/** The protocol takes an error of at most MAX_ERROR_CHARS characters, on one line, storable. */
export function oneLine(message: string): string {
  const line = message.split('\n')[0]!.replace(UNSTORABLE, '\uFFFD');
  if (line.length <= MAX_ERROR_CHARS) return line;
  // Never cut a surrogate pair in two.
  return `${line.slice(0, MAX_ERROR_CHARS - 3).replace(/[\uD800-\uDBFF]$/, '')}...`;
}
