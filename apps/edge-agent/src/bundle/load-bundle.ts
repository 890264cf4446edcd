import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BundleError, verifyBundle, type Manifest } from '@godwit/migration-bundle/device';
import { AgentError, usageError } from '../errors.js';
import { readTrustedKeys } from './trusted-keys.js';

export interface LoadedBundle {
  path: string;
  manifest: Manifest;
  signers: string[];
}

const NEXT_STEP: Record<string, string> = {
  malformed: 'the file is damaged or not a bundle: copy it again from its source',
  'too-large': 'the file is not a bundle this agent accepts',
  unsigned: 'ask the publisher for a signed bundle',
  'bad-signature': 'the bundle was altered after signing: copy it again from its source',
  'untrusted-key': 'pass the publisher\'s public key with --trust, or ask for a bundle signed by a trusted key',
  expired: 'ask the publisher for a fresh bundle',
  'bad-checksum': 'the bundle was altered: copy it again from its source',
  rollback: 'pass --allow-rollback to apply an older bundle on purpose',
};

/**
 * Reads and verifies a bundle before any database is opened (guarantee 4): signature by a trusted
 * key, checksums, expiry. Sequence (rollback) is checked by the caller against the database's state.
 */
export function loadBundle(path: string, trustPaths: readonly string[], now = Date.now()): LoadedBundle {
  const keys = readTrustedKeys(trustPaths);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw usageError(`cannot read bundle ${path} (${(error as NodeJS.ErrnoException).code}); check the --bundle path`);
  }
  return verifyBundleBytes(path, bytes, keys, now);
}

/** The verification half of `loadBundle`, for callers that read the bytes (and handle read errors) themselves. */
export function verifyBundleBytes(path: string, bytes: Buffer, keys: KeyObject[], now = Date.now()): LoadedBundle {
  try {
    const { manifest, signers } = verifyBundle(bytes, keys, { now });
    return { path, manifest, signers };
  } catch (error) {
    if (error instanceof BundleError) throw bundleRefused(path, error.code, error.message);
    throw error;
  }
}

export function bundleRefused(path: string, reason: string, message: string): AgentError {
  return new AgentError('bundle-refused', `bundle ${path} refused (${reason}): ${message}; ${NEXT_STEP[reason] ?? 'get a valid bundle'}`);
}
