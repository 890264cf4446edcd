import { pgTable, text, timestamp, uuid, jsonb, primaryKey, uniqueIndex, index } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';
import { tenantPolicy } from './tenant-policy.js';

/** Device ids are chosen by the operator and unique within a tenant. */
export const devices = pgTable(
  'devices',
  {
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    channel: text('channel').notNull(),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    /** Globally unique: the broker knows a device only by it. */
    mqttUsername: text('mqtt_username').notNull(),
    /** scrypt of the MQTT secret, `scrypt$N$r$p$salt$hash` (base64url parts). */
    secretHash: text('secret_hash').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('devices_mqtt_username_key').on(t.mqttUsername),
    index('devices_tenant_channel_idx').on(t.tenantId, t.channel),
    tenantPolicy(t.tenantId),
  ],
).enableRLS();
