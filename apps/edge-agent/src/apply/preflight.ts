import {
  diffSchemas,
  emptySchema,
  expectedSchemaFor,
  fingerprintOf,
  formatSchemaDiff,
  readSchema,
  type Manifest,
  type SchemaChange,
  type SchemaDescription,
} from '@godwit/migration-bundle';
import { bundleRefused } from '../bundle/load-bundle.js';
import type { Db } from '../db/open-database.js';
import { AgentError } from '../errors.js';
import type { AgentState } from '../state/agent-state.js';

/** Refuses a bundle older than the newest one applied, unless the tech said --allow-rollback. */
export function checkSequence(manifest: Manifest, bundlePath: string, state: AgentState, allowRollback: boolean): void {
  if (state.bundleSequence !== null && manifest.sequence < state.bundleSequence && !allowRollback) {
    throw bundleRefused(
      bundlePath,
      'rollback',
      `its sequence ${manifest.sequence} is older than sequence ${state.bundleSequence} already applied to this database`,
    );
  }
}

/** Refuses a bundle that rewrote the history the database already went through (exit 3, naming the revision). */
export function checkChecksums(manifest: Manifest, bundlePath: string, state: AgentState): void {
  for (const revision of manifest.revisions) {
    const recorded = state.checksums.get(revision.id);
    if (recorded !== undefined && recorded !== revision.checksum) {
      throw new AgentError(
        'history-rewritten',
        `bundle ${bundlePath} refused: revision ${revision.id} was changed after this database applied it (checksum ${revision.checksum.slice(0, 12)} here, ${recorded.slice(0, 12)} recorded); revisions must never be edited once shipped: add a new revision instead`,
      );
    }
  }
}

export interface SchemaComparison {
  expected: SchemaDescription;
  live: SchemaDescription;
  expectedFingerprint: string;
  liveFingerprint: string;
  changes: SchemaChange[];
  /** Readable diff, or null when the fingerprints match. */
  diff: string | null;
}

/** The live schema against the one the recorded heads expect. */
export function compareSchema(db: Db | null, manifest: Manifest, heads: readonly string[]): SchemaComparison {
  const expected = heads.length === 0 ? emptySchema() : expectedSchemaFor(manifest, [...heads]);
  const live = db === null ? emptySchema() : readSchema(db);
  const expectedFingerprint = fingerprintOf(expected);
  const liveFingerprint = fingerprintOf(live);
  const changes = expectedFingerprint === liveFingerprint ? [] : diffSchemas(expected, live);
  const diff = expectedFingerprint === liveFingerprint ? null : formatSchemaDiff(changes);
  return { expected, live, expectedFingerprint, liveFingerprint, changes, diff };
}

export function driftError(dbPath: string, revision: string | null, diff: string, command: string): AgentError {
  if (revision === null) {
    return new AgentError(
      'drift',
      `${dbPath} has a schema but no recorded revision; if it is at a known revision, record that with edge-agent stamp REV, or re-run ${command} with --force`,
      diff,
    );
  }
  return new AgentError(
    'drift',
    `the schema of ${dbPath} is not what revision ${revision ?? 'base'} expects (changed by hand?); ` +
      `undo the change, or re-run ${command} with --force to migrate it as it is`,
    diff,
  );
}

/**
 * With --force on a drifted database the result cannot match the bundle's fingerprint; it must
 * still differ only where it already differed before (the hand-made changes, carried through).
 */
export function onlyKnownDrift(after: readonly SchemaChange[], before: readonly SchemaChange[]): boolean {
  const key = (c: SchemaChange) => `${c.kind} ${c.object} ${c.name}`;
  const known = new Set(before.map(key));
  return after.every((change) => known.has(key(change)));
}
