import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uuid, jsonb, bigint, index } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';
import { tenantPolicy } from './tenant-policy.js';

/**
 * Who did what to a tenant's fleet, and when: one row per action, written in the transaction of
 * the action itself, so an action is never without its entry nor an entry without its action.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    /** Ordering and paging key (newest first); ids from one sequence across tenants. */
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** The operator token that acted; null for the coordinator itself (a failure-threshold pause) or the admin token. */
    tokenId: uuid('token_id'),
    /** published, paused, resumed, widened, retried, registered, revoked, uploaded. */
    action: text('action').notNull(),
    /** What was acted on: `rollout ID`, `device ID`, `token ID`, `bundle ID`. */
    subject: text('subject').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index('audit_log_tenant_idx').on(t.tenantId, t.id), tenantPolicy(t.tenantId)],
).enableRLS();
