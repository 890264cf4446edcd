/** Why a bundle was refused. Every one of these maps to exit code 3 in the CLIs. */
export const BUNDLE_ERROR_CODES = [
  'malformed',
  'too-large',
  'unsigned',
  'bad-signature',
  'untrusted-key',
  'expired',
  'bad-checksum',
  'rollback',
] as const;

export type BundleErrorCode = (typeof BUNDLE_ERROR_CODES)[number];

/** A bundle that must not be used. The message is one line naming the problem. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  /** The revision the problem is in, when there is one (e.g. a checksum mismatch). */
  readonly revision: string | undefined;

  constructor(
    readonly code: BundleErrorCode,
    message: string,
    options: { revision?: string } = {},
  ) {
    super(message);
    this.revision = options.revision;
  }
}

/** Quotes text from a bundle for an error message: escaped onto one line and cut short. */
export function quoted(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** A key file that cannot be used: missing, not PEM, or not an Ed25519 key of the right kind. */
export class KeyError extends Error {
  override readonly name = 'KeyError';
  readonly code = 'bad-key';
}
