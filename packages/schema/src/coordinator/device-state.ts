import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uuid, jsonb, primaryKey, boolean, bigint, foreignKey, index } from 'drizzle-orm/pg-core';
import { devices } from './devices.js';
import { tenantPolicy } from './tenant-policy.js';

/**
 * A device's newest reported migration state. `counter` is the device's own monotonic report
 * counter: a write only lands when it is higher than the stored one (null: never reported).
 */
export const deviceState = pgTable(
  'device_state',
  {
    tenantId: uuid('tenant_id').notNull(),
    deviceId: text('device_id').notNull(),
    /** Null for a database at base. */
    revision: text('revision'),
    fingerprint: text('fingerprint'),
    bundleSequence: bigint('bundle_sequence', { mode: 'number' }),
    counter: bigint('counter', { mode: 'number' }),
    lastResult: jsonb('last_result'),
    /** The device's live SchemaDescription, when it sent one: the drift diff is computed from it. */
    schema: jsonb('schema'),
    reportedAt: timestamp('reported_at', { withTimezone: true }),
    online: boolean('online').notNull().default(false),
    lastSeen: timestamp('last_seen', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.deviceId] }),
    foreignKey({ columns: [t.tenantId, t.deviceId], foreignColumns: [devices.tenantId, devices.id] }).onDelete('cascade'),
    tenantPolicy(t.tenantId),
  ],
).enableRLS();

/** Every migration event a device reported, once: (tenant, device, counter) is unique. */
export const migrationEvents = pgTable(
  'migration_events',
  {
    tenantId: uuid('tenant_id').notNull(),
    deviceId: text('device_id').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull(),
    event: jsonb('event').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.deviceId, t.counter] }),
    foreignKey({ columns: [t.tenantId, t.deviceId], foreignColumns: [devices.tenantId, devices.id] }).onDelete('cascade'),
    // The fleet summary's failed devices: the few failed events, without reading every event.
    index('migration_events_failed_idx')
      .on(t.tenantId, t.deviceId, t.counter)
      .where(sql`(${t.event}->>'outcome') in ('rolled-back', 'refused')`),
    tenantPolicy(t.tenantId),
  ],
).enableRLS();
