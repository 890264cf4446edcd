/**
 * Drift (DESIGN.md, data flow step 5): a device whose reported fingerprint is not the expected
 * fingerprint of its reported revision, or that reports a revision no stored bundle contains.
 * Where the device sent its live schema, the verdict carries a readable diff against the schema
 * the revision should have.
 */
import { diffSchemas, emptySchema, fingerprintOf, formatSchemaDiff, type SchemaDescription } from '../bundles/engine.js';

/** What a stored bundle says a database at one revision must look like. */
export interface ExpectedRevision {
  fingerprint: string;
  schema: SchemaDescription | null;
}

export interface ReportedSchemaState {
  revision: string | null;
  fingerprint: string;
  schema: SchemaDescription | null;
}

export type DriftReason = 'fingerprint-mismatch' | 'unknown-revision';

export interface DriftVerdict {
  drifted: boolean;
  reason: DriftReason | null;
  expectedFingerprint: string | null;
  /** Readable differences, expected → live; null when there is no drift or no schema to compare. */
  diff: string | null;
}

const BASE: ExpectedRevision = { fingerprint: fingerprintOf(emptySchema()), schema: emptySchema() };

/**
 * @param expected the expected state for the reported revision, from the stored bundles; undefined
 * when none of them contains it. A database at base (revision null) must be empty.
 *
 * @example
 * assessDrift({ revision: 'a1b2', fingerprint: live, schema }, expectedByRevision.get('a1b2'))
 * // → { drifted: true, reason: 'fingerprint-mismatch', expectedFingerprint: '…', diff: '+ column events.note …' }
 */
export function assessDrift(reported: ReportedSchemaState, expected: ExpectedRevision | undefined): DriftVerdict {
  const target = reported.revision === null ? BASE : expected;
  if (!target) return { drifted: true, reason: 'unknown-revision', expectedFingerprint: null, diff: null };
  if (target.fingerprint === reported.fingerprint) {
    return { drifted: false, reason: null, expectedFingerprint: target.fingerprint, diff: null };
  }
  const diff = target.schema && reported.schema ? formatSchemaDiff(diffSchemas(target.schema, reported.schema)) : null;
  return { drifted: true, reason: 'fingerprint-mismatch', expectedFingerprint: target.fingerprint, diff };
}
