import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uuid, jsonb, primaryKey, integer, real, index, foreignKey } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';
import { bundles } from './bundles.js';
import { devices } from './devices.js';
import { tenantPolicy } from './tenant-policy.js';

export type RolloutState = 'active' | 'paused';

/** A bundle published to a channel: either a percentage of its devices or label selectors. */
export const rollouts = pgTable(
  'rollouts',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    bundleId: text('bundle_id').notNull(),
    channel: text('channel').notNull(),
    /** Null when the rollout targets by selectors. */
    percent: real('percent'),
    /** Every KEY=VALUE must match a device's labels; null when the rollout targets by percent. */
    selectors: jsonb('selectors').$type<Record<string, string>>(),
    state: text('state').$type<RolloutState>().notNull().default('active'),
    pauseReason: text('pause_reason'),
    failureThresholdPercent: real('failure_threshold_percent').notNull().default(5),
    minAttempts: integer('min_attempts').notNull().default(20),
    /** Targets that reported a result for this rollout; attempts are successes + failures. */
    successes: integer('successes').notNull().default(0),
    failures: integer('failures').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    foreignKey({ columns: [t.tenantId, t.bundleId], foreignColumns: [bundles.tenantId, bundles.id] }).onDelete('cascade'),
    index('rollouts_tenant_channel_idx').on(t.tenantId, t.channel),
    tenantPolicy(t.tenantId),
  ],
).enableRLS();

export type TargetStatus = 'pending' | 'succeeded' | 'failed';

/** Devices a rollout has reached; rows are only ever added, so widening keeps earlier devices. */
export const rolloutTargets = pgTable(
  'rollout_targets',
  {
    tenantId: uuid('tenant_id').notNull(),
    rolloutId: uuid('rollout_id').notNull().references(() => rollouts.id, { onDelete: 'cascade' }),
    deviceId: text('device_id').notNull(),
    status: text('status').$type<TargetStatus>().notNull().default('pending'),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
    resultAt: timestamp('result_at', { withTimezone: true }),
    /** Why a failed target failed: the deciding event's error, or its outcome when it sent none. */
    error: text('error'),
    /** Results that decided this target, retries included. */
    attempts: integer('attempts').notNull().default(0),
    /** When an operator last sent a failed target back to pending; `added_at` keeps the order targets were reached in. */
    retriedAt: timestamp('retried_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.rolloutId, t.deviceId] }),
    foreignKey({ columns: [t.tenantId, t.deviceId], foreignColumns: [devices.tenantId, devices.id] }).onDelete('cascade'),
    index('rollout_targets_device_idx').on(t.tenantId, t.deviceId),
    tenantPolicy(t.tenantId),
  ],
).enableRLS();
