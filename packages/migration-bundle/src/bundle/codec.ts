import { BundleError } from './errors.js';
import type { Manifest } from './manifest.js';
import { checkManifestRelations } from './manifest-rules.js';
import { manifestShape } from './manifest-shape.js';
import { decodeStrict, encodeCanonical } from './msgpack.js';
import { anyBytes, arrayOf, bytes, literal, matching, object, type ShapeOf } from './shape.js';

export const ENVELOPE_VERSION = 1;

const envelopeShape = object({
  v: literal(ENVELOPE_VERSION),
  manifest: anyBytes,
  signatures: arrayOf(object({ keyId: matching(/^[0-9a-f]{32}$/, 'a key id (32 hex digits)'), sig: bytes(64) })),
});

/** The outer layer of a bundle: the manifest's exact bytes and the signatures over them. */
export type Envelope = ShapeOf<typeof envelopeShape>;
export type BundleSignature = Envelope['signatures'][number];

/** Deterministic plain-MessagePack bytes of a manifest: what gets signed. */
export function encodeManifest(manifest: Manifest): Uint8Array {
  return encodeCanonical(manifest);
}

/** Decodes manifest bytes and validates every field and the relations between revisions. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  const manifest = manifestShape(decodeStrict(bytes, 'manifest'), 'manifest');
  checkManifestRelations(manifest);
  return manifest;
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encodeCanonical(envelope);
}

/**
 * Decodes and validates an envelope. Only the canonical encoding is accepted, so one envelope has
 * one byte form and any change to a bundle's bytes changes what it says.
 */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const envelope = envelopeShape(decodeStrict(bytes, 'bundle'), 'bundle');
  if (!Buffer.from(encodeEnvelope(envelope)).equals(bytes)) {
    throw new BundleError('malformed', 'bundle: envelope is not canonically encoded');
  }
  const keyIds = new Set(envelope.signatures.map((s) => s.keyId));
  if (keyIds.size !== envelope.signatures.length) {
    throw new BundleError('malformed', 'bundle: two signatures name the same key id');
  }
  return { ...envelope, manifest: Uint8Array.from(envelope.manifest) };
}
