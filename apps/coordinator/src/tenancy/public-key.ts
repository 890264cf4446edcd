import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CoordinatorError } from '../store/errors.js';

/** One SPKI PEM block and nothing else (surrounding whitespace aside). */
const SPKI_PEM = /^\s*-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\s*$/;
const PRIVATE_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * Whether the text is, or holds, a private key (PKCS#8, encrypted, OpenSSH, SEC1...): node's
 * createPublicKey accepts a private key and derives its public half, so this is asked first.
 */
export function holdsPrivateKey(text: string): boolean {
  if (PRIVATE_PEM.test(text)) return true;
  try {
    createPrivateKey(text);
    return true;
  } catch {
    return false;
  }
}

/** Why the text is not a trustable signing key, or null when it is an Ed25519 public key in SPKI PEM. */
export function publicKeyProblem(text: string): string | null {
  if (holdsPrivateKey(text)) return 'a private key, not a public key: pass the .pub file `mbundle keygen` wrote beside it (the private key never leaves the signing machine)';
  if (!SPKI_PEM.test(text)) return 'not a PEM public key (-----BEGIN PUBLIC KEY-----)';
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    return 'not a PEM public key (-----BEGIN PUBLIC KEY-----)';
  }
  return key.asymmetricKeyType === 'ed25519' ? null : 'not an Ed25519 key';
}

/** An Ed25519 public key; anything else, a private key above all, is an invalid request naming `field`. */
export function parseEd25519PublicKey(text: string, field: string): KeyObject {
  const problem = publicKeyProblem(text);
  if (problem) throw new CoordinatorError('invalid-request', `${field}: ${problem}`);
  return createPublicKey(text);
}
