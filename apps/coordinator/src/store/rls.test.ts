import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, makeTestBundle } from '../bundles/test-bundles.js';
import { verifyUpload } from '../bundles/verify-upload.js';
import { queryRows } from './database.js';
import { Scopes } from './scopes.js';
import type { Store } from './store.js';
import { openTestStore, testDrivers } from './test-store.js';

const FP = 'f'.repeat(64);

/** Every table that has a tenant_id column, plus `tenants` itself (its own id is the tenant). */
async function tenantTables(store: Store): Promise<{ table: string; column: string }[]> {
  return queryRows(
    store.db,
    sql`select c.relname as table, a.attname as column
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and not a.attisdropped and a.attnum > 0
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and (a.attname = 'tenant_id' or (c.relname = 'tenants' and a.attname = 'id'))
        order by 1`,
  );
}

/** For each tenant-owned table, an insert of a row belonging to `tenant` (the other rows it needs exist). */
function insertFor(table: string, tenant: string): SQL {
  switch (table) {
    case 'tenants':
      return sql`insert into tenants (id, name) values (${tenant}, 'intruder')`;
    case 'operator_tokens':
      return sql`insert into operator_tokens (tenant_id, token_hash) values (${tenant}, 'x')`;
    case 'signing_keys':
      return sql`insert into signing_keys (tenant_id, key_id, public_key_pem) values (${tenant}, 'k', 'pem')`;
    case 'devices':
      return sql`insert into devices (tenant_id, id, channel, mqtt_username, secret_hash) values (${tenant}, 'x9', 'c', 'x9-user', 'h')`;
    case 'bundles':
      return sql`insert into bundles (tenant_id, id, sequence, bytes, sha256, heads) values (${tenant}, 'bx', 1, '\\x00', 's', '[]')`;
    case 'bundle_revisions':
      return sql`insert into bundle_revisions (tenant_id, bundle_id, revision_id, position, fingerprint, schema) values (${tenant}, 'b', 'r_new', 9, 'f', '{}')`;
    case 'rollouts':
      return sql`insert into rollouts (tenant_id, bundle_id, channel) values (${tenant}, 'b', 'c')`;
    case 'rollout_targets':
      return sql`insert into rollout_targets (tenant_id, rollout_id, device_id) select ${tenant}, id, 'd9' from rollouts limit 1`;
    case 'device_state':
      return sql`insert into device_state (tenant_id, device_id) values (${tenant}, 'd9')`;
    case 'audit_log':
      return sql`insert into audit_log (tenant_id, action, subject) values (${tenant}, 'paused', 'rollout x')`;
    case 'dashboard_sessions':
      return sql`insert into dashboard_sessions (id_hash, tenant_id, token_id, expires_at) select 'x9', ${tenant}, id, now() + interval '1 hour' from operator_tokens limit 1`;
    case 'migration_events':
      return sql`insert into migration_events (tenant_id, device_id, counter, event) values (${tenant}, 'd9', 99, '{}')`;
    default:
      throw new Error(`no insert written for tenant table ${table}: add one here`);
  }
}

describe.each(testDrivers())('row-level security on %s', (driver) => {
  let store: Store;
  let scopes: Scopes;
  const ids: Record<'a' | 'b', string> = { a: '', b: '' };

  beforeAll(async () => {
    store = await openTestStore(driver);
    scopes = new Scopes(store.db, store.serviceRole);
    // Both tenants get a row in every table.
    for (const name of ['a', 'b'] as const) {
      const tenant = (ids[name] = (await store.tenants.create(`tenant-${name}`)).id);
      const { privateKey, publicKey } = generateKeyPair();
      await store.keys.add(tenant, publicKey.export({ type: 'spki', format: 'pem' }).toString());
      await store.devices.register(tenant, { id: `${name}-dev`, channel: 'c', labels: {} });
      const [token] = await store.tokens.list(tenant);
      await store.sessions.create(`${name}-session`, { tenantId: tenant, tokenId: token!.id }, new Date(Date.now() + 3_600_000));
      const bundle = makeTestBundle(privateKey, [`${name}_rev1`]);
      await store.bundles.add(tenant, verifyUpload(bundle.bytes, await store.keys.trusted(tenant)));
      await store.rollouts.publish(tenant, { bundleId: bundle.bundleId, channel: 'c', targeting: { percent: 100 } });
      await store.writeReports(
        [{ tenantId: tenant, deviceId: `${name}-dev`, counter: 1, revision: `${name}_rev1`, fingerprint: FP, bundleSequence: 1, lastResults: [], schema: null, receivedAt: new Date() }],
        [{ tenantId: tenant, deviceId: `${name}-dev`, counter: 1, at: 1, from: null, to: `${name}_rev1`, revisions: [], outcome: 'applied', durationMs: 1 }],
      );
    }
  });
  afterAll(() => store.close());

  it('every table with a tenant_id has RLS enabled, forced, and a policy', async () => {
    const tables = await tenantTables(store);
    expect(tables.length).toBeGreaterThanOrEqual(10);
    const flags = await queryRows<{ table: string; enabled: boolean; forced: boolean; policies: number }>(
      store.db,
      sql`select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
                 (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
          from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'`,
    );
    const lacking = tables
      .map(({ table }) => flags.find((f) => f.table === table)!)
      .filter((f) => !f.enabled || !f.forced || f.policies === 0)
      .map((f) => f.table);
    expect(lacking).toEqual([]);
  });

  it('tenant queries run as a role that is neither superuser nor BYPASSRLS', async () => {
    const [role] = await scopes.tenant(ids.a, (tx) =>
      queryRows<{ user: string; super: boolean; bypass: boolean }>(
        tx,
        sql`select current_user as user, rolsuper as super, rolbypassrls as bypass from pg_roles where rolname = current_user`,
      ),
    );
    expect(role).toEqual({ user: store.serviceRole, super: false, bypass: false });
  });

  it("with tenant A's context, raw SQL sees none of B's rows in any table", async () => {
    for (const { table, column } of await tenantTables(store)) {
      const [all] = await queryRows<{ n: number }>(store.db, sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(column)} = ${ids.b}`);
      expect(all?.n, `${table} has rows of B to hide`).toBeGreaterThan(0);
      const seen = await scopes.tenant(ids.a, (tx) =>
        queryRows<{ owner: string }>(tx, sql`select ${sql.identifier(column)}::text as owner from ${sql.identifier(table)}`),
      );
      expect(seen.length, `${table} shows A's rows`).toBeGreaterThan(0);
      expect(seen.filter((r) => r.owner !== ids.a), `${table} leaks`).toEqual([]);
    }
  });

  it("with tenant A's context, inserting a row for B fails in every table", async () => {
    for (const { table } of await tenantTables(store)) {
      const error = await scopes.tenant(ids.a, (tx) => tx.execute(insertFor(table, ids.b))).then(
        () => null,
        (e: Error) => (e.cause as Error | undefined)?.message ?? e.message,
      );
      expect(error, table).toMatch(/row-level security/);
    }
  });

  it('without a tenant set, the service role sees nothing', async () => {
    const db = store.db;
    const seen = await db.transaction(async (tx) => {
      await tx.execute(sql`set local role ${sql.identifier(store.serviceRole)}`);
      return queryRows<{ n: number }>(tx, sql`select count(*)::int as n from devices`);
    });
    expect(seen[0]?.n).toBe(0);
  });
});
