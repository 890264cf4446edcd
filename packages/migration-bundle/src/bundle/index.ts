export { createBundle, type BundleContents, type CreatedBundle } from './create.js';
export { chainChecksums, revisionChecksum, type RevisionContent } from './checksum.js';
export {
  decodeEnvelope,
  decodeManifest,
  encodeEnvelope,
  encodeManifest,
  ENVELOPE_VERSION,
  type BundleSignature,
  type Envelope,
} from './codec.js';
export { BUNDLE_ERROR_CODES, BundleError, KeyError, type BundleErrorCode } from './errors.js';
export { readBundleFile } from './file.js';
export {
  generateKeyPair,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  writeKeyPair,
  type KeyPair,
  type KeyPairFiles,
} from './keys.js';
export { MANIFEST_FORMAT, type Manifest, type ManifestRevision } from './manifest.js';
export { REVISION_ID, schemaDescriptionShape } from './manifest-shape.js';
export { SIGNATURE_DOMAIN, signedMessage, signManifest } from './sign.js';
export {
  decodeBundleUnverified,
  DEFAULT_MAX_BUNDLE_BYTES,
  verifyBundle,
  verifyChecksums,
  type UnverifiedBundle,
  type VerifiedBundle,
  type VerifyOptions,
} from './verify.js';
