import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uuid, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantPolicy } from './tenant-policy.js';

export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tenants_name_key').on(t.name), tenantPolicy(t.id)],
).enableRLS();

/** Operator tokens are random 32-byte values; only their SHA-256 is stored. */
export const operatorTokens = pgTable(
  'operator_tokens',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('operator_tokens_hash_key').on(t.tokenHash), tenantPolicy(t.tenantId)],
).enableRLS();

/**
 * Dashboard sessions: an operator token exchanged for a random session id (the cookie); only the
 * id's SHA-256 is stored, so every replica knows a session and a restart keeps it. Gone with the
 * token or the tenant.
 */
export const dashboardSessions = pgTable(
  'dashboard_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    tokenId: uuid('token_id').notNull().references(() => operatorTokens.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('dashboard_sessions_tenant_created').on(t.tenantId, t.createdAt), index('dashboard_sessions_expires').on(t.expiresAt), tenantPolicy(t.tenantId)],
).enableRLS();

/** Ed25519 public keys a tenant trusts to sign its bundles. */
export const signingKeys = pgTable(
  'signing_keys',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    /** The engine's key id (`keyIdOf`): what a bundle's signatures name. */
    keyId: text('key_id').notNull(),
    publicKeyPem: text('public_key_pem').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('signing_keys_tenant_key').on(t.tenantId, t.keyId), tenantPolicy(t.tenantId)],
).enableRLS();
