import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceStateWrite, EventWrite } from '../ingest/store-port.js';
import { queryRows } from './database.js';
import { openTestStore, testDrivers } from './test-store.js';
import type { Store } from './store.js';

const FP = (c: string) => c.repeat(64);

function state(tenantId: string, deviceId: string, counter: number, fingerprint = FP('a')): DeviceStateWrite {
  return { tenantId, deviceId, counter, revision: 'rev_0001', fingerprint, bundleSequence: 1, lastResults: [], schema: null, receivedAt: new Date() };
}

function event(tenantId: string, deviceId: string, counter: number): EventWrite {
  return { tenantId, deviceId, counter, at: Date.now(), from: null, to: 'rev_0001', revisions: ['rev_0001'], outcome: 'applied', durationMs: 5 };
}

describe.each(testDrivers())('store on %s', (driver) => {
  let store: Store;
  let tenant: string;

  beforeAll(async () => {
    store = await openTestStore(driver);
    tenant = (await store.tenants.create('acme')).id;
    for (const id of ['d1', 'd2']) await store.devices.register(tenant, { id, channel: 'stable', labels: {} });
  });
  afterAll(() => store.close());

  it('authenticates operator tokens by hash and refuses unknown ones', async () => {
    const created = await store.tenants.create('other');
    expect(await store.tenants.authenticate(created.token)).toBe(created.id);
    expect(await store.tenants.authenticate(`${created.token}x`)).toBeNull();
  });

  it.runIf(driver === 'pg')('keeps working when the server closes its idle connections (a restart, an administrator)', async () => {
    const [{ name }] = await queryRows<{ name: string }>(store.db, sql`select current_database() as name`);
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const killed = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await store.tenants.authenticate('no-such-token')).toBeNull();
  });

  it('refuses a second tenant of the same name', async () => {
    await expect(store.tenants.create('acme')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('authenticates devices by MQTT username and scrypt secret, and not once revoked', async () => {
    const reg = await store.devices.register(tenant, { id: 'mq1', channel: 'stable', labels: { site: 'north' } });
    expect(await store.authenticateDevice(reg.mqtt.username, reg.mqtt.password)).toEqual({ tenantId: tenant, deviceId: 'mq1', channel: 'stable' });
    expect(await store.authenticateDevice(reg.mqtt.username, 'wrong')).toBeNull();
    await store.devices.revoke(tenant, 'mq1');
    expect(await store.authenticateDevice(reg.mqtt.username, reg.mqtt.password)).toBeNull();
  });

  it('never lets an older or duplicate state overwrite a newer one', async () => {
    await store.writeReports([state(tenant, 'd1', 5, FP('5'))], []);
    const stored = await store.writeReports([state(tenant, 'd1', 3, FP('3')), state(tenant, 'd1', 5, FP('9'))], []);
    expect(stored).toEqual([{ tenantId: tenant, deviceId: 'd1', counter: 5 }]);
    // Two states for one device in one batch: the higher counter wins.
    await store.writeReports([state(tenant, 'd1', 8, FP('8')), state(tenant, 'd1', 7, FP('7'))], []);
    const d1 = (await store.fleet.devices(tenant)).find((d) => d.id === 'd1');
    expect(d1?.fingerprint).toBe(FP('8'));
  });

  it('stores each event once however often it arrives', async () => {
    const events = [event(tenant, 'd2', 1), event(tenant, 'd2', 2)];
    await store.writeReports([state(tenant, 'd2', 2)], events);
    await store.writeReports([state(tenant, 'd2', 2)], [...events, event(tenant, 'd2', 2)]);
    // The admin connection sees every tenant: a plain count of what landed.
    const [row] = await queryRows<{ n: number }>(store.db, sql`select count(*)::int as n from migration_events where device_id = 'd2'`);
    expect(row?.n).toBe(2);
  });

  it('takes batches larger than one statement can bind', async () => {
    const events = Array.from({ length: 14_000 }, (_, i) => event(tenant, 'd1', 100 + i));
    const stored = await store.writeReports([state(tenant, 'd1', 14_099)], events);
    expect(stored).toEqual([{ tenantId: tenant, deviceId: 'd1', counter: 14_099 }]);
    const [row] = await queryRows<{ n: number }>(store.db, sql`select count(*)::int as n from migration_events where device_id = 'd1'`);
    expect(row?.n).toBe(14_000);
  });

  it('records presence without going back in time', async () => {
    const later = new Date();
    await store.setPresence([{ tenantId: tenant, deviceId: 'd2', online: false, at: later }]);
    await store.setPresence([{ tenantId: tenant, deviceId: 'd2', online: true, at: new Date(later.getTime() - 60_000) }]);
    const d2 = (await store.fleet.devices(tenant)).find((d) => d.id === 'd2');
    expect(d2).toMatchObject({ online: false, lastSeen: later.toISOString() });
  });
});
