import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { RolloutDelivery } from '../rollouts/delivery.js';
import type { Driver } from './database.js';
import { openStore, type Store } from './store.js';

/** PGlite always; the PostgreSQL server too when DATABASE_URL names one. */
export function testDrivers(): Driver[] {
  return process.env.DATABASE_URL ? ['pglite', 'pg'] : ['pglite'];
}

export interface TestDatabase {
  /** Undefined for PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, empty database on the server in DATABASE_URL, dropped by `drop()`; nothing for PGlite. */
export async function createTestDatabase(driver: Driver): Promise<TestDatabase> {
  if (driver === 'pglite') return { url: undefined, drop: async () => {} };
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL is not set');
  const name = `godwit_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** A migrated store on a fresh database of the given driver; `close()` also drops it. */
export async function openTestStore(driver: Driver, delivery?: RolloutDelivery): Promise<Store> {
  const database = await createTestDatabase(driver);
  const store = await openStore({ databaseUrl: database.url, dataDir: 'memory://', ...(delivery && { delivery }) });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await database.drop();
  };
  return store;
}
