import { createHash } from 'node:crypto';
import type { ManifestRevision } from './manifest.js';
import { encodeCanonical } from './msgpack.js';

/** What a revision checksum covers: the revision as its author wrote it. */
export type RevisionContent = Pick<ManifestRevision, 'id' | 'parents' | 'message' | 'up' | 'down'>;

/** Keeps a revision checksum from ever equalling a hash of some other canonical value. */
const CHECKSUM_DOMAIN = 'godwit-revision-v1';

/**
 * Hex SHA-256 over the canonical encoding of a revision's content and its parents' checksums, in
 * parent order: changing any ancestor changes the checksum of every descendant (as atlas.sum chains).
 *
 * @example
 * const base = revisionChecksum({ id: 'aaaa', parents: [], message: 'm', up: [], down: null }, []);
 * const next = revisionChecksum({ id: 'bbbb', parents: ['aaaa'], message: 'n', up: [], down: [] }, [base]);
 */
export function revisionChecksum(rev: RevisionContent, parentChecksums: string[]): string {
  if (parentChecksums.length !== rev.parents.length) {
    throw new RangeError(`revision ${rev.id} has ${rev.parents.length} parents but ${parentChecksums.length} parent checksums`);
  }
  const encoded = encodeCanonical({
    domain: CHECKSUM_DOMAIN,
    id: rev.id,
    parents: rev.parents,
    message: rev.message,
    up: rev.up,
    down: rev.down,
    parentChecksums,
  });
  return createHash('sha256').update(encoded).digest('hex');
}

/**
 * The chained checksum of every revision, computed from content alone (never from checksums a
 * bundle claims). `revisions` must list parents before children.
 */
export function chainChecksums(revisions: readonly RevisionContent[]): Map<string, string> {
  const sums = new Map<string, string>();
  for (const rev of revisions) {
    const parentSums = rev.parents.map((parent) => {
      const sum = sums.get(parent);
      if (sum === undefined) throw new RangeError(`parent ${parent} of revision ${rev.id} comes after it or is missing`);
      return sum;
    });
    sums.set(rev.id, revisionChecksum(rev, parentSums));
  }
  return sums;
}
