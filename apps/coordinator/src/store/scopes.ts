import { sql } from 'drizzle-orm';
import type { Db, Tx } from './database.js';
import { sqlStateOf } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The only two ways the store reaches the database. `tenant` runs as the service role with the
 * tenant set for the transaction, so row-level security holds whatever the query says; `admin`
 * runs as the connecting role and is kept to what has to cross tenants.
 */
export class Scopes {
  constructor(
    private readonly db: Db,
    private readonly serviceRole: string,
  ) {}

  tenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.tenants([tenantId], (tx, _tenantId) => fn(tx)).then((results) => results[0] as T);
  }

  /** One transaction that visits several tenants in turn (an ingest batch), each under its own setting. */
  tenants<T>(tenantIds: readonly string[], fn: (tx: Tx, tenantId: string) => Promise<T>): Promise<T[]> {
    for (const id of tenantIds) if (!UUID.test(id)) throw new TypeError(`not a tenant id: ${id}`);
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`set local role ${sql.identifier(this.serviceRole)}`);
      const results: T[] = [];
      for (const id of tenantIds) {
        await tx.execute(sql`select set_config('app.current_tenant_id', ${id}, true)`);
        results.push(await fn(tx, id));
      }
      return results;
    });
  }

  admin<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }
}

// 40001 serialization failure, 40P01 deadlock: the server rolled the whole transaction back, and
// running it again is the documented answer.
const TRANSIENT_STATES = new Set(['40001', '40P01']);
const ATTEMPTS = 4;

/**
 * Runs a transaction again when the database aborted it as a deadlock victim. Only for
 * transactions with no effect outside the database until they return (ingest, presence):
 * replicas sharing a broker write the same devices' rows at the same time.
 */
export async function retryTransient<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const state = sqlStateOf(error);
      if (attempt >= ATTEMPTS || state === null || !TRANSIENT_STATES.has(state)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
