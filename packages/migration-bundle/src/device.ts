/**
 * What a device process needs between migrations — verifying a bundle, describing and
 * fingerprinting the live schema, validating a schema description — without loading the
 * planner, the build pipeline or autogenerate. The device daemon idles on this entry; the full
 * engine (`@godwit/migration-bundle`) is loaded only where a migration runs.
 */
export type * from './schema/description.js';
export { readSchema, emptySchema } from './schema/describe.js';
export { fingerprintOf } from './schema/fingerprint.js';
export { REVISION_ID, schemaDescriptionShape } from './bundle/manifest-shape.js';
export { BundleError } from './bundle/errors.js';
export { DEFAULT_MAX_BUNDLE_BYTES, verifyBundle, type VerifiedBundle, type VerifyOptions } from './bundle/verify.js';
export type { Manifest, ManifestRevision } from './bundle/manifest.js';
export { quoteIdent } from './sqlite/quote.js';
