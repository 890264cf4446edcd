import { verify, type KeyObject } from 'node:crypto';
import { chainChecksums } from './checksum.js';
import { decodeEnvelope, decodeManifest, type BundleSignature } from './codec.js';
import { BundleError } from './errors.js';
import { keyIdOf } from './keys.js';
import type { Manifest } from './manifest.js';
import { signedMessage } from './sign.js';

/** Larger than any real bundle; refused before a single byte is decoded. */
export const DEFAULT_MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

export interface VerifyOptions {
  /** Milliseconds since the epoch to check expiry against; defaults to `Date.now()`. */
  now?: number;
  maxBytes?: number;
  /** The newest sequence already applied: an older bundle is refused as a rollback. */
  minSequence?: number;
  /**
   * Checksums of the revisions already applied (id → checksum): a bundle whose copy of one of them
   * differs is refused with `bad-checksum`, naming it.
   */
  appliedChecksums?: ReadonlyMap<string, string>;
}

export interface VerifiedBundle {
  manifest: Manifest;
  /** The manifest bytes exactly as signed. */
  manifestBytes: Uint8Array;
  /** Key ids of the trusted keys whose signatures verified. */
  signers: string[];
}

export interface UnverifiedBundle {
  manifest: Manifest;
  manifestBytes: Uint8Array;
  signatures: BundleSignature[];
}

/**
 * Checks a bundle and returns its manifest, or throws a BundleError. In order: the size cap, the
 * envelope, the signatures (over the manifest bytes as received), then the manifest's fields, its
 * chained checksums, expiry and sequence.
 *
 * @example
 * const { manifest, signers } = verifyBundle(bytes, [await loadPublicKey('release.pub')]);
 */
export function verifyBundle(bytes: Uint8Array, trusted: KeyObject[], options: VerifyOptions = {}): VerifiedBundle {
  checkSize(bytes, options.maxBytes);
  const envelope = decodeEnvelope(bytes);
  const signers = checkSignatures(envelope.manifest, envelope.signatures, trusted);
  const manifest = decodeManifest(envelope.manifest);
  verifyChecksums(manifest, options.appliedChecksums);
  const now = options.now ?? Date.now();
  if (manifest.expiresAt !== null && now >= manifest.expiresAt) {
    throw new BundleError('expired', `bundle ${manifest.bundleId} expired at ${new Date(manifest.expiresAt).toISOString()}`);
  }
  if (options.minSequence !== undefined && manifest.sequence < options.minSequence) {
    throw new BundleError(
      'rollback',
      `bundle ${manifest.bundleId} has sequence ${manifest.sequence}, older than the applied ${options.minSequence}`,
    );
  }
  return { manifest, manifestBytes: envelope.manifest, signers };
}

/**
 * Decodes a bundle and validates its fields without checking signatures, checksums or expiry: for
 * showing what a bundle says, never for applying it.
 */
export function decodeBundleUnverified(bytes: Uint8Array, options: { maxBytes?: number } = {}): UnverifiedBundle {
  checkSize(bytes, options.maxBytes);
  const envelope = decodeEnvelope(bytes);
  return { manifest: decodeManifest(envelope.manifest), manifestBytes: envelope.manifest, signatures: envelope.signatures };
}

/**
 * Throws `bad-checksum`, naming the first revision whose chained checksum does not match its content
 * and parents, or differs from the checksum recorded when it was applied.
 */
export function verifyChecksums(manifest: Manifest, applied: ReadonlyMap<string, string> = new Map()): void {
  const computed = chainChecksums(manifest.revisions);
  for (const { id, checksum } of manifest.revisions) {
    if (computed.get(id) !== checksum) {
      throw new BundleError('bad-checksum', `revision ${id}: checksum does not match its content and parents`, {
        revision: id,
      });
    }
    const appliedChecksum = applied.get(id);
    if (appliedChecksum !== undefined && appliedChecksum !== checksum) {
      throw new BundleError('bad-checksum', `revision ${id} has changed since it was applied here`, { revision: id });
    }
  }
}

function checkSize(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BUNDLE_BYTES): void {
  if (bytes.length > maxBytes) {
    throw new BundleError('too-large', `bundle is ${bytes.length} bytes, more than the limit of ${maxBytes}`);
  }
}

function checkSignatures(manifestBytes: Uint8Array, signatures: BundleSignature[], trusted: KeyObject[]): string[] {
  if (signatures.length === 0) throw new BundleError('unsigned', 'bundle carries no signature');
  const trustedById = new Map(trusted.map((key) => [keyIdOf(key), key]));
  const message = signedMessage(manifestBytes);
  const signers: string[] = [];
  for (const { keyId, sig } of signatures) {
    const key = trustedById.get(keyId);
    if (key === undefined) continue;
    // A trusted key's signature that fails means the bytes were altered: refuse even if another verifies.
    if (!verifies(message, key, sig)) {
      throw new BundleError('bad-signature', `signature by trusted key ${keyId} does not match the manifest`);
    }
    signers.push(keyId);
  }
  if (signers.length === 0) {
    const ids = signatures.map((s) => s.keyId).join(', ');
    throw new BundleError('untrusted-key', `bundle is signed only by keys not trusted here: ${ids}`);
  }
  return signers;
}

function verifies(message: Buffer, key: KeyObject, sig: Uint8Array): boolean {
  try {
    return verify(null, message, key, sig);
  } catch {
    return false;
  }
}
