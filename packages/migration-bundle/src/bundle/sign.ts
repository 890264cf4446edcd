import { sign, type KeyObject } from 'node:crypto';
import { encodeEnvelope, ENVELOPE_VERSION } from './codec.js';
import { KeyError } from './errors.js';
import { keyIdOf } from './keys.js';

/**
 * Prefixed to the manifest bytes before signing, so a bundle signature can never be replayed as a
 * signature over anything else a Godwit key signs (or the reverse).
 */
export const SIGNATURE_DOMAIN: Uint8Array = Buffer.from('godwit-bundle-v1\0', 'latin1');

/** The exact bytes a bundle signature covers: the domain tag, then the manifest bytes as they are. */
export function signedMessage(manifestBytes: Uint8Array): Buffer {
  return Buffer.concat([SIGNATURE_DOMAIN, manifestBytes]);
}

/**
 * Signs manifest bytes with one or more Ed25519 private keys and returns the bundle: the envelope
 * holding those exact bytes and one signature per key.
 *
 * @example
 * const bundle = signManifest(encodeManifest(manifest), [await loadPrivateKey('release.key')]);
 */
export function signManifest(manifestBytes: Uint8Array, privateKeys: KeyObject[]): Uint8Array {
  if (privateKeys.length === 0) throw new KeyError('a bundle needs at least one signing key');
  const message = signedMessage(manifestBytes);
  const signatures = privateKeys.map((key) => {
    if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
      throw new KeyError('bundles are signed with Ed25519 private keys');
    }
    return { keyId: keyIdOf(key), sig: Uint8Array.from(sign(null, message, key)) };
  });
  if (new Set(signatures.map((s) => s.keyId)).size !== signatures.length) {
    throw new KeyError('the same signing key was given twice');
  }
  return encodeEnvelope({ v: ENVELOPE_VERSION, manifest: manifestBytes, signatures });
}
