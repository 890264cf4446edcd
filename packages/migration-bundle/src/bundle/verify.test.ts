import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './codec.js';
import { createBundle, type BundleContents } from './create.js';
import { BundleError, type BundleErrorCode } from './errors.js';
import { keyIdOf } from './keys.js';
import type { Manifest } from './manifest.js';
import { encodeCanonical } from './msgpack.js';
import { signManifest } from './sign.js';
import { decodeBundleUnverified, verifyBundle } from './verify.js';

const NOW = Date.UTC(2026, 10, 26);
const release = generateKeyPairSync('ed25519');
const backup = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

function revisions(baseMessage = 'create events'): BundleContents['revisions'] {
  return [
    {
      id: 'base0001',
      parents: [],
      message: baseMessage,
      up: [
        {
          kind: 'createTable',
          table: 'events',
          columns: [
            { name: 'id', type: 'INTEGER', primaryKey: true, autoincrement: true },
            { name: 'owner', type: 'INTEGER', references: { table: 'users', column: 'id', onDelete: 'CASCADE' } },
          ],
          options: { strict: true },
        },
      ],
      down: [{ kind: 'dropTable', table: 'events' }],
      upSql: ['CREATE TABLE "events" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "owner" INTEGER REFERENCES "users" ("id") ON DELETE CASCADE) STRICT'],
      downSql: ['DROP TABLE "events"'],
      fingerprint: 'a'.repeat(64),
      schema: {
        tables: [
          {
            name: 'events',
            columns: [
              { name: 'id', type: 'integer', notNull: false, default: null, primaryKey: 1, collate: null, generated: null },
              { name: 'owner', type: 'integer', notNull: false, default: null, primaryKey: 0, collate: null, generated: null },
            ],
            autoincrement: true,
            primaryKeyClause: null,
            uniques: [],
            checks: [],
            foreignKeys: [{ name: null, columns: ['owner'], refTable: 'users', refColumns: ['id'], onDelete: 'cascade', onUpdate: 'no action', deferrable: null }],
            strict: true,
            withoutRowid: false,
          },
        ],
        indexes: [],
        triggers: [],
        views: [], virtualTables: [],
      },
    },
    {
      id: 'next0002',
      parents: ['base0001'],
      message: 'add kind',
      up: [
        { kind: 'addColumn', table: 'events', column: { name: 'kind', type: 'TEXT', default: "'x'" } },
        { kind: 'createIndex', name: 'events_kind', table: 'events', columns: ['kind'], unique: false, where: 'kind IS NOT NULL' },
        { kind: 'alterColumn', table: 'events', column: 'owner', changes: { default: null, using: 'owner + 0' } },
      ],
      down: null,
      upSql: ['ALTER TABLE "events" ADD COLUMN "kind" TEXT DEFAULT \'x\'', 'CREATE INDEX "events_kind" ON "events" ("kind") WHERE kind IS NOT NULL'],
      downSql: null,
      fingerprint: 'b'.repeat(64),
      schema: { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] },
    },
  ];
}

function bundle(overrides: Partial<BundleContents> = {}) {
  return createBundle({ revisions: revisions(), keys: [release.privateKey], createdAt: NOW, bundleId: 'bundle-1', ...overrides });
}

function refusal(bytes: Uint8Array, trusted: KeyObject[] = [release.publicKey], now = NOW): BundleError {
  try {
    verifyBundle(bytes, trusted, { now });
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    return error as BundleError;
  }
  throw new Error('expected the bundle to be refused');
}

function expectRefused(bytes: Uint8Array, code: BundleErrorCode, message?: RegExp) {
  const error = refusal(bytes);
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  expect(error.message).not.toContain('\n');
}

/** Signs an arbitrary manifest-like value, so that only manifest validation can refuse it. */
function signedRaw(manifest: unknown, encode = encodeCanonical): Uint8Array {
  return signManifest(encode(manifest), [release.privateKey]);
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

describe('a valid bundle', () => {
  it('round-trips: verifies and returns the manifest, its exact bytes and the signer', () => {
    const { bytes, manifest, manifestBytes } = bundle();
    const verified = verifyBundle(bytes, [release.publicKey], { now: NOW });
    expect(verified.manifest).toEqual(manifest);
    expect(Buffer.from(verified.manifestBytes).equals(manifestBytes)).toBe(true);
    expect(verified.signers).toEqual([keyIdOf(release.publicKey)]);
    expect(manifest.heads).toEqual(['next0002']);
    expect(manifest.sequence).toBe(NOW);
  });

  it('encodes deterministically', () => {
    const a = bundle();
    const b = bundle();
    expect(Buffer.from(a.manifestBytes).equals(b.manifestBytes)).toBe(true);
    expect(Buffer.from(a.bytes).equals(b.bytes)).toBe(true);
  });

  it('verifies when any one of several signers is trusted, naming only the trusted ones', () => {
    const { bytes } = bundle({ keys: [release.privateKey, backup.privateKey] });
    expect(verifyBundle(bytes, [backup.publicKey], { now: NOW }).signers).toEqual([keyIdOf(backup.publicKey)]);
    expect(verifyBundle(bytes, [release.publicKey, backup.publicKey], { now: NOW }).signers).toHaveLength(2);
  });

  it('verifies before its expiry and refuses it from then on', () => {
    const { bytes } = bundle({ expiresAt: NOW + 1000 });
    expect(verifyBundle(bytes, [release.publicKey], { now: NOW + 999 }).manifest.expiresAt).toBe(NOW + 1000);
    expect(refusal(bytes, [release.publicKey], NOW + 1000).code).toBe('expired');
  });

  it('is refused as a rollback when older than the sequence already applied', () => {
    const { bytes } = bundle({ sequence: 5 });
    expect(verifyBundle(bytes, [release.publicKey], { now: NOW, minSequence: 5 }).manifest.sequence).toBe(5);
    expect(() => verifyBundle(bytes, [release.publicKey], { now: NOW, minSequence: 6 })).toThrow(
      expect.objectContaining({ code: 'rollback' }),
    );
  });

  it('can be decoded unverified for inspection', () => {
    const { bytes, manifest } = bundle({ keys: [stranger.privateKey] });
    const decoded = decodeBundleUnverified(bytes);
    expect(decoded.manifest).toEqual(manifest);
    expect(decoded.signatures.map((s) => s.keyId)).toEqual([keyIdOf(stranger.publicKey)]);
  });
});

describe('signatures', () => {
  it('refuses a flipped bit anywhere in the manifest bytes as bad-signature', () => {
    const { bytes, manifestBytes } = bundle();
    const start = Buffer.from(bytes).indexOf(Buffer.from(manifestBytes));
    for (const offset of [0, 10, manifestBytes.length >> 1, manifestBytes.length - 1]) {
      expectRefused(flipBit(bytes, (start + offset) * 8 + 3), 'bad-signature', /signature by trusted key [0-9a-f]{32}/);
    }
  });

  it('refuses a flipped bit in a signature as bad-signature', () => {
    const { bytes } = bundle();
    const sig = decodeEnvelope(bytes).signatures[0]!.sig;
    const start = Buffer.from(bytes).indexOf(Buffer.from(sig));
    for (const offset of [0, 31, 63]) expectRefused(flipBit(bytes, (start + offset) * 8 + 6), 'bad-signature');
  });

  it('refuses a bundle whose trusted signature fails even when another trusted one verifies', () => {
    const { bytes } = bundle({ keys: [release.privateKey, backup.privateKey] });
    const envelope = decodeEnvelope(bytes);
    envelope.signatures[0]!.sig = flipBit(envelope.signatures[0]!.sig, 5);
    expect(refusal(encodeEnvelope(envelope), [release.publicKey, backup.publicKey]).code).toBe('bad-signature');
  });

  it('refuses a bundle signed only by unknown keys as untrusted-key', () => {
    expectRefused(bundle({ keys: [stranger.privateKey] }).bytes, 'untrusted-key', new RegExp(keyIdOf(stranger.publicKey)));
    expect(refusal(bundle().bytes, []).code).toBe('untrusted-key');
  });

  it('refuses a bundle without signatures as unsigned', () => {
    const { manifestBytes } = bundle();
    expectRefused(encodeEnvelope({ v: 1, manifest: manifestBytes, signatures: [] }), 'unsigned');
  });

  it('refuses a signature moved to another key id as untrusted or bad', () => {
    const { bytes } = bundle();
    const envelope = decodeEnvelope(bytes);
    envelope.signatures[0]!.keyId = keyIdOf(backup.publicKey);
    expect(refusal(encodeEnvelope(envelope), [release.publicKey]).code).toBe('untrusted-key');
    expect(refusal(encodeEnvelope(envelope), [release.publicKey, backup.publicKey]).code).toBe('bad-signature');
  });
});

describe('checksums', () => {
  it('refuses a revision swapped in from another validly signed bundle', () => {
    // Bundle B has the same second revision on a different base, so its checksum chains to B's base.
    const a = bundle().manifest;
    const b = bundle({ revisions: revisions('another base') }).manifest;
    expect(verifyBundle(signedRaw(b), [release.publicKey], { now: NOW }).manifest.revisions[1]!.up).toEqual(a.revisions[1]!.up);
    const swapped: Manifest = { ...a, revisions: [a.revisions[0]!, b.revisions[1]!] };
    const error = refusal(signedRaw(swapped));
    expect(error.code).toBe('bad-checksum');
    expect(error.revision).toBe('next0002');
    expect(error.message).toMatch(/revision next0002/);
  });

  it('refuses a bundle whose copy of an applied revision changed since it was applied', () => {
    const { bytes, manifest } = bundle();
    const applied = new Map(manifest.revisions.map((r) => [r.id, r.checksum]));
    expect(verifyBundle(bytes, [release.publicKey], { now: NOW, appliedChecksums: applied }).signers).toHaveLength(1);
    const rewritten = bundle({ revisions: revisions('create events, rewritten') }).bytes;
    expect(() => verifyBundle(rewritten, [release.publicKey], { now: NOW, appliedChecksums: applied })).toThrow(
      expect.objectContaining({ code: 'bad-checksum', revision: 'base0001', message: 'revision base0001 has changed since it was applied here' }),
    );
  });

  it('refuses changed content under an old checksum, naming the revision', () => {
    const a = bundle().manifest;
    const changed: Manifest = { ...a, revisions: [{ ...a.revisions[0]!, message: 'rewritten' }, a.revisions[1]!] };
    expect(refusal(signedRaw(changed)).revision).toBe('base0001');
  });
});

describe('malformed bundles', () => {
  const { bytes, manifest } = bundle();
  const [base, next] = manifest.revisions as [Manifest['revisions'][0], Manifest['revisions'][0]];

  it('refuses fields the format does not define, at every level', () => {
    const variants: unknown[] = [
      { ...manifest, extra: 1 },
      { ...manifest, revisions: [{ ...base, extra: 1 }, next] },
      { ...manifest, revisions: [{ ...base, up: [{ ...base.up[0], extra: 1 }] }, next] },
      { ...manifest, revisions: [{ ...base, schema: { ...base.schema, extra: [] } }, next] },
      { ...manifest, revisions: [{ ...base, schema: { ...base.schema, tables: [{ ...base.schema.tables[0], extra: true }] } }, next] },
    ];
    for (const variant of variants) expectRefused(signedRaw(variant), 'malformed', /unknown field "extra"/);
    const long = refusal(signedRaw({ ...manifest, ['x\n'.repeat(5000)]: 1 }));
    expect(long.message).toMatch(/^manifest: unknown field "(x\\n)+…"$/);
    expect(long.message.length).toBeLessThan(150);
    const envelope = { ...decodeEnvelope(bytes), extra: 1 };
    expectRefused(encodeCanonical(envelope), 'malformed', /bundle: unknown field "extra"/);
  });

  it('refuses wrong types, missing fields and unknown operations, naming the path', () => {
    expectRefused(signedRaw({ ...manifest, sequence: 1.5 }), 'malformed', /manifest\.sequence: expected an integer/);
    expectRefused(signedRaw({ ...manifest, sequence: 2 ** 60 }), 'malformed', /manifest\.sequence/);
    expectRefused(signedRaw({ ...manifest, format: 2 }), 'malformed', /manifest\.format/);
    const { heads: _heads, ...headless } = manifest;
    expectRefused(signedRaw(headless), 'malformed', /missing field "heads"/);
    expectRefused(
      signedRaw({ ...manifest, revisions: [{ ...base, up: [{ kind: 'eval', code: 'x' }] }, next] }),
      'malformed',
      /manifest\.revisions\[0\]\.up\[0\]\.kind: expected one of execute/,
    );
    expectRefused(
      signedRaw({ ...manifest, revisions: [{ ...base, message: Uint8Array.of(1) }, next] }),
      'malformed',
      /manifest\.revisions\[0\]\.message: expected a string/,
    );
  });

  it('refuses bad ids, parents that are missing or listed later, and wrong heads', () => {
    expectRefused(signedRaw({ ...manifest, revisions: [{ ...base, id: 'BAD' }, next] }), 'malformed', /revision id/);
    expectRefused(signedRaw({ ...manifest, revisions: [next, base] }), 'malformed', /parent base0001 of revision next0002 is not listed before it/);
    expectRefused(signedRaw({ ...manifest, revisions: [base, base] }), 'malformed', /duplicate revision id/);
    expectRefused(signedRaw({ ...manifest, heads: ['base0001'] }), 'malformed', /manifest\.heads/);
  });

  it('refuses MessagePack extension types in the manifest and in the envelope', () => {
    expectRefused(signedRaw({ ...manifest, createdAt: new Date(NOW) }, (v) => new Packr().pack(v)), 'malformed', /manifest: .*extension/);
    expectRefused(signedRaw(manifest, (v) => new Packr({ useRecords: true }).pack(v)), 'malformed', /extension/);
    const envelope = decodeEnvelope(bytes);
    expectRefused(new Packr({ useRecords: true }).pack(envelope), 'malformed', /bundle: .*extension/);
  });

  it('refuses a non-canonical envelope, trailing bytes and truncation', () => {
    const nonCanonical = new Packr({ useRecords: false, variableMapSize: false }).pack(decodeEnvelope(bytes));
    expectRefused(nonCanonical, 'malformed', /not canonically encoded/);
    expectRefused(Buffer.concat([bytes, Uint8Array.of(0)]), 'malformed', /after the end/);
    expectRefused(bytes.subarray(0, bytes.length - 1), 'malformed', /truncated/);
  });

  it('refuses a bundle over the size cap before decoding it', () => {
    expect(() => verifyBundle(bytes, [release.publicKey], { now: NOW, maxBytes: bytes.length - 1 })).toThrow(
      expect.objectContaining({ code: 'too-large' }),
    );
    expect(() => verifyBundle(new Uint8Array(65 * 1024 * 1024), [release.publicKey])).toThrow(
      expect.objectContaining({ code: 'too-large' }),
    );
  });

  it('refuses a manifest with an unencodable layout in its own bytes', () => {
    expectRefused(signManifest(Uint8Array.of(0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02), [release.privateKey]), 'malformed', /duplicate map key/);
  });
});

describe('createBundle', () => {
  it('refuses to build a manifest that devices would refuse', () => {
    const [base, next] = revisions();
    expect(() => createBundle({ revisions: [base!, { ...next!, id: 'X' }], keys: [release.privateKey] })).toThrow();
    expect(() => createBundle({ revisions: [next!, base!], keys: [release.privateKey] })).toThrow(/comes after it or is missing/);
  });
});
