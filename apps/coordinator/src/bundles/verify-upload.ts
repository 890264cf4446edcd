import { createHash, type KeyObject } from 'node:crypto';
import { CoordinatorError } from '../store/errors.js';
import { BundleError, verifyBundle, type Manifest } from './engine.js';

/** Bundle uploads larger than this are refused before they are read to the end. */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

export interface VerifiedUpload {
  manifest: Manifest;
  /** Key ids of the trusted keys whose signatures verified. */
  signers: string[];
  bytes: Uint8Array;
  sha256: string;
}

/** Verifies an uploaded bundle against the tenant's trusted keys (guarantee 4); refusals are `bundle-refused`. */
export function verifyUpload(bytes: Uint8Array, trusted: KeyObject[], now = Date.now()): VerifiedUpload {
  if (trusted.length === 0) {
    throw new CoordinatorError('bundle-refused', 'untrusted-key: the tenant trusts no signing key yet (coordinator keys add PUBFILE)');
  }
  try {
    const { manifest, signers } = verifyBundle(bytes, trusted, { now, maxBytes: MAX_BUNDLE_BYTES });
    return { manifest, signers, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    if (error instanceof BundleError) throw new CoordinatorError('bundle-refused', `${error.code}: ${error.message}`);
    throw error;
  }
}
