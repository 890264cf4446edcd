import type { Operation } from '../ops/operation.js';
import type { SchemaDescription } from '../schema/description.js';

export const MANIFEST_FORMAT = 1;

/** One revision as it travels in a bundle: data only, never code. */
export interface ManifestRevision {
  id: string;
  parents: string[];
  message: string;
  up: Operation[];
  /** `null` when the revision has no `down`: downgrading past it is refused. */
  down: Operation[] | null;
  /** SQL statements `up` renders to, planned on the schema the bundle expects before it. */
  upSql: string[];
  /** SQL statements `down` renders to, planned on the schema the bundle expects after it. */
  downSql: string[] | null;
  /** Hex SHA-256 over the revision's content and its parents' checksums (a chain). */
  checksum: string;
  /** Expected schema fingerprint once this revision and all its ancestors are applied. */
  fingerprint: string;
  /** The expected schema itself, so a device or the coordinator can show a readable drift diff. */
  schema: SchemaDescription;
}

/** The signed part of a bundle. `revisions` is in the canonical apply order (parents first). */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  bundleId: string;
  sequence: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  expiresAt: number | null;
  revisions: ManifestRevision[];
  heads: string[];
}
