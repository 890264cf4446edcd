import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-store.js';
import { parseSignal } from './replica-signals.js';
import { openStore, type Store } from './store.js';

const replica = '6f1d0c3e-4b2a-4c8e-9d7f-0a1b2c3d4e5f';
const tenant = '0e8f7a6b-5c4d-4e3f-8a2b-1c0d9e8f7a6b';

describe('replica signal payloads', () => {
  it('takes only what a replica sends: a replica id and tenant ids, all UUIDs', () => {
    expect(parseSignal(JSON.stringify({ replica, tenants: [tenant] }))).toEqual({ replica, tenants: [tenant] });
    for (const bad of [undefined, '', 'null', '[]', '{"replica":1,"tenants":[]}', JSON.stringify({ replica, tenants: ['x'] }), JSON.stringify({ replica, tenants: tenant }), JSON.stringify({ replica: 'me', tenants: [] }), `${'{'.repeat(9000)}`]) {
      expect(parseSignal(bad)).toBeNull();
    }
  });
});

/** Waits until `check` holds, polling; fails after `ms`. */
async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/**
 * Two replicas on one PostgreSQL database: a report stored through one reaches the other's live
 * listeners of that tenant only, once, and still does after the listening connections are cut.
 */
describe.skipIf(!process.env.DATABASE_URL)('live changes between replicas (PostgreSQL NOTIFY/LISTEN)', () => {
  let database: TestDatabase;
  let a: Store;
  let b: Store;

  beforeAll(async () => {
    database = await createTestDatabase('pg');
    a = await openStore({ databaseUrl: database.url, dataDir: 'memory://' });
    b = await openStore({ databaseUrl: database.url, dataDir: 'memory://' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('a report stored by one replica reaches the other replica\'s pages of that tenant, and only those, after a lost connection too', async () => {
    const busy = (await a.tenants.create('signals-busy')).id;
    const quiet = (await a.tenants.create('signals-quiet')).id;
    await a.devices.register(busy, { id: 'dev-1', channel: 'main', labels: {} });
    const heard = { aBusy: 0, bBusy: 0, bQuiet: 0 };
    a.changes.subscribe(busy, () => heard.aBusy++);
    b.changes.subscribe(busy, () => heard.bBusy++);
    b.changes.subscribe(quiet, () => heard.bQuiet++);
    const report = (counter: number) =>
      a.writeReports(
        [{ tenantId: busy, deviceId: 'dev-1', counter, revision: null, fingerprint: 'a'.repeat(64), bundleSequence: null, lastResults: [], schema: null, receivedAt: new Date() }],
        [],
      );

    await report(1);
    await until('replica b to hear of the report', () => heard.bBusy === 1);
    // Its own NOTIFY comes back to replica a too: it must not tell its pages twice.
    await new Promise((r) => setTimeout(r, 500));
    expect(heard).toEqual({ aBusy: 1, bBusy: 1, bQuiet: 0 });

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const cut = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'godwit-replica-signals' and datname = current_database()");
      expect(cut.rowCount).toBe(2);
      // Back after the gap, a replica tells every tenant it has pages for: changes may have been missed.
      await until('replica b to listen again', () => heard.bQuiet === 1);
      expect(heard.bBusy).toBe(2);
    } finally {
      await admin.end();
    }
    await report(2);
    await until('replica b to hear of the next report', () => heard.bBusy === 3);
    expect(heard.bQuiet).toBe(1);
  });
});
