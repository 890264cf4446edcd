/**
 * Every failure the agent reports, by what the user must do about it. The CLI maps these codes to
 * exit codes in one table (`cli/exit-codes.ts`) and nowhere else.
 */
export type AgentErrorCode =
  | 'usage'
  | 'bundle-refused'
  | 'history-rewritten'
  | 'unknown-revision'
  | 'drift'
  | 'rolled-back'
  | 'locked'
  | 'schema-changed'
  | 'disk-space'
  | 'integrity'
  | 'read-only'
  | 'irreversible'
  | 'no-backup'
  | 'failed';

export class AgentError extends Error {
  override readonly name = 'AgentError';

  /**
   * @param message one line: what went wrong and what to do next.
   * @param details more lines printed below it (a schema diff, a plan), or null.
   */
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly details: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function usageError(message: string): AgentError {
  return new AgentError('usage', message);
}
