import { randomUUID, type KeyObject } from 'node:crypto';
import { chainChecksums } from './checksum.js';
import { decodeManifest, encodeManifest } from './codec.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestRevision } from './manifest.js';
import { signManifest } from './sign.js';

export interface BundleContents {
  /** Planned revisions in apply order (parents first); checksums are computed here. */
  revisions: Omit<ManifestRevision, 'checksum'>[];
  keys: KeyObject[];
  /** Defaults to `createdAt`, so later builds get higher sequences. */
  sequence?: number;
  /** Milliseconds since the epoch; defaults to now. */
  createdAt?: number;
  expiresAt?: number | null;
  bundleId?: string;
}

export interface CreatedBundle {
  bytes: Uint8Array;
  manifest: Manifest;
  manifestBytes: Uint8Array;
}

/**
 * Assembles, encodes and signs a manifest from planned revisions: the last step of `mbundle build`.
 *
 * @example
 * const { bytes } = createBundle({ revisions, keys: [await loadPrivateKey('release.key')], expiresAt: null });
 */
export function createBundle(contents: BundleContents): CreatedBundle {
  const checksums = chainChecksums(contents.revisions);
  const revisions = contents.revisions.map((revision) => ({ ...revision, checksum: checksums.get(revision.id)! }));
  const hasChildren = new Set(revisions.flatMap((r) => r.parents));
  const createdAt = contents.createdAt ?? Date.now();
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    bundleId: contents.bundleId ?? randomUUID(),
    sequence: contents.sequence ?? createdAt,
    createdAt,
    expiresAt: contents.expiresAt ?? null,
    revisions,
    heads: revisions.map((r) => r.id).filter((id) => !hasChildren.has(id)),
  };
  const manifestBytes = encodeManifest(manifest);
  // Decoding what was just encoded applies every rule verifyBundle applies, so a build can never
  // ship a bundle that devices refuse as malformed.
  decodeManifest(manifestBytes);
  return { bytes: signManifest(manifestBytes, contents.keys), manifest, manifestBytes };
}
