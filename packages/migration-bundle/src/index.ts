/**
 * The engine's public API, as docs/engine-api.md documents it: what revision files, the agent, the
 * coordinator, the tests and the benchmarks build on. Everything else is internal (imported by
 * path inside the package). The device daemon uses the lighter `@godwit/migration-bundle/device`.
 */

// Revisions, operations and the graph
export type * from './ops/operation.js';
export { recordOperations, OperationError, type OperationErrorCode, type RecordingContext } from './ops/recorder.js';
export { revision, type RevisionDefinition } from './graph/revision.js';
export { createGraph, type RevisionGraph, type GraphInput } from './graph/graph.js';
export { GraphError, type GraphErrorCode } from './graph/errors.js';
export { loadRevisions, loadRevisionGraph, type LoadedRevision } from './graph/load.js';
export { writeRevisionFile, writeMergeRevision } from './graph/revision-file.js';

// Schema descriptions and fingerprints
export type * from './schema/description.js';
export { readSchema, emptySchema } from './schema/describe.js';
export { fingerprintOf, fingerprintDatabase } from './schema/fingerprint.js';
export { diffSchemas, formatSchemaDiff, type SchemaChange } from './schema/diff.js';

// Planning and running
export { planRevision, planSteps, type MigrationStep } from './plan/planner.js';
export { planCoalesced } from './plan/coalesce.js';
export type { PlannedRevision, PlannedStatement } from './plan/plan-types.js';
export { cloneSchema } from './sqlite/schema-clone.js';
export { runMigration, planMigration, type RunOptions, type MigrationPlan, type RevisionRunReport, type ProgressEvent } from './execute/run-migration.js';
export { MigrationError, type MigrationErrorCode } from './execute/migration-error.js';
export { ANALYSIS_LIMIT, type StatisticsReport } from './execute/planner-statistics.js';
export { renderScript, type ScriptPart } from './render/script.js';

// Compiling revisions into bundles
export { buildBundle, type BuildOptions } from './compile/build-bundle.js';
export { planChain, replaySchema, type AuthoredRevision } from './compile/plan-chain.js';
export { expectedSchemaFor, signedSql } from './compile/expected.js';
export { renderSql } from './compile/range-script.js';

// Bundles: encoding, signing, verifying
export { createBundle, type BundleContents, type CreatedBundle } from './bundle/create.js';
export { chainChecksums, revisionChecksum, type RevisionContent } from './bundle/checksum.js';
export { decodeEnvelope, decodeManifest, encodeEnvelope, encodeManifest, type BundleSignature, type Envelope } from './bundle/codec.js';
export { BundleError, type BundleErrorCode } from './bundle/errors.js';
export { readBundleFile } from './bundle/file.js';
export { generateKeyPair, keyIdOf, loadPrivateKey, loadPublicKey, writeKeyPair, type KeyPair, type KeyPairFiles } from './bundle/keys.js';
export type { Manifest, ManifestRevision } from './bundle/manifest.js';
export { signManifest } from './bundle/sign.js';
export { decodeBundleUnverified, verifyBundle, type UnverifiedBundle, type VerifiedBundle, type VerifyOptions } from './bundle/verify.js';
