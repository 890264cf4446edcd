import { sql, type SQL } from 'drizzle-orm';
import { pgPolicy, type AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * The tenant, as the service sets it per transaction with
 * `set_config('app.current_tenant_id', $1, true)`. `nullif` matters: once a local setting has
 * been used on a pooled connection, later transactions read '' (not NULL), and ''::uuid would
 * raise instead of matching nothing.
 */
export const currentTenant: SQL = sql`nullif(current_setting('app.current_tenant_id', true), '')::uuid`;

/** The row-level-security policy every tenant-owned table carries: rows of the current tenant only. */
export function tenantPolicy(column: AnyPgColumn) {
  const own = sql`${column} = ${currentTenant}`;
  return pgPolicy('tenant_isolation', { as: 'permissive', for: 'all', using: own, withCheck: own });
}
