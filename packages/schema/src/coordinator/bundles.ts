import { pgTable, text, timestamp, uuid, jsonb, primaryKey, integer, bigint, index, foreignKey } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';
import { tenantPolicy } from './tenant-policy.js';
import { bytea } from './bytea.js';

/** A verified, signed bundle exactly as uploaded; `id` is the manifest's bundleId. */
export const bundles = pgTable(
  'bundles',
  {
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    bytes: bytea('bytes').notNull(),
    sha256: text('sha256').notNull(),
    heads: jsonb('heads').$type<string[]>().notNull(),
    /** Key ids (signing_keys.key_id) whose signatures verified at upload; null for bundles stored before this was kept. */
    signers: jsonb('signers').$type<string[]>(),
    /** The manifest's expiry; null when it has none, or for bundles stored before this was kept (then `signers` is null too). */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), tenantPolicy(t.tenantId)],
).enableRLS();

/** What a device at `revisionId` must look like: the expected fingerprint and schema. */
export const bundleRevisions = pgTable(
  'bundle_revisions',
  {
    tenantId: uuid('tenant_id').notNull(),
    bundleId: text('bundle_id').notNull(),
    revisionId: text('revision_id').notNull(),
    position: integer('position').notNull(),
    fingerprint: text('fingerprint').notNull(),
    schema: jsonb('schema').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.bundleId, t.revisionId] }),
    foreignKey({ columns: [t.tenantId, t.bundleId], foreignColumns: [bundles.tenantId, bundles.id] }).onDelete('cascade'),
    index('bundle_revisions_revision_idx').on(t.tenantId, t.revisionId),
    tenantPolicy(t.tenantId),
  ],
).enableRLS();
