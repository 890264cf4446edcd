import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** The one drizzle handle every store module uses, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Driver = 'pg' | 'pglite';

/** Raw SQL rows: both drivers answer `execute` with `{ rows }`. */
export async function queryRows<T>(db: Db | Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export interface Database {
  readonly driver: Driver;
  readonly db: Db;
  /** Applies the committed drizzle-kit migrations (apps/coordinator/drizzle). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL URL: node-postgres. Without one, embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite's folder; `memory://` keeps it in memory. */
  dataDir: string;
}

// Same relative place from src/store and dist/store.
const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
/**
 * The advisory lock replicas starting on one database take for their set-up (migrations, the
 * service role's grants). Any constant works; it only has to be the same for every replica.
 */
export const SETUP_LOCK = 7_301_955;

export function openDatabase(options: DatabaseOptions): Database {
  return options.databaseUrl ? openPg(options.databaseUrl) : openPglite(options.dataDir);
}

function openPg(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // The server closing an idle connection (a restart, a failover, an administrator) makes the pool
  // emit 'error' and drop that client; the next query opens a new one and reports any real
  // failure itself. Unheard, that event would end the whole process.
  pool.on('error', () => {});
  return {
    driver: 'pg',
    db: drizzlePg(pool) as unknown as Db,
    async migrate() {
      // Replicas starting together must not race through the same migrations.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [SETUP_LOCK]);
        try {
          await migratePg(drizzlePg(client), { migrationsFolder });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [SETUP_LOCK]);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

function openPglite(dataDir: string): Database {
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  const db = drizzlePglite(client);
  return {
    driver: 'pglite',
    db: db as unknown as Db,
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}
