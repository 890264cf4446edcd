import { BundleError } from './errors.js';
import type { Manifest } from './manifest.js';

/**
 * Checks what the field shapes cannot: revision ids are unique, every parent is listed before its
 * child (so `revisions` is an apply order), and `heads` are exactly the revisions nothing builds on.
 */
export function checkManifestRelations(manifest: Manifest): void {
  const seen = new Set<string>();
  const withChildren = new Set<string>();
  manifest.revisions.forEach((revision, i) => {
    const path = `manifest.revisions[${i}]`;
    if (seen.has(revision.id)) malformed(`${path}: duplicate revision id ${revision.id}`);
    if (new Set(revision.parents).size !== revision.parents.length) {
      malformed(`${path}: revision ${revision.id} lists a parent twice`);
    }
    for (const parent of revision.parents) {
      if (!seen.has(parent)) {
        malformed(`${path}: parent ${parent} of revision ${revision.id} is not listed before it`);
      }
      withChildren.add(parent);
    }
    seen.add(revision.id);
  });

  const expected = manifest.revisions.map((r) => r.id).filter((id) => !withChildren.has(id));
  const heads = new Set(manifest.heads);
  if (heads.size !== manifest.heads.length || heads.size !== expected.length || !expected.every((id) => heads.has(id))) {
    malformed(`manifest.heads: lists ${manifest.heads.join(', ') || 'nothing'} but the heads are ${expected.join(', ') || 'none'}`);
  }
}

function malformed(message: string): never {
  throw new BundleError('malformed', message);
}
