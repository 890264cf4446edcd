export type ProtocolErrorCode = 'too-large' | 'malformed' | 'invalid';

/** A message that does not follow the wire protocol; `code` is the drop reason in the metrics. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
