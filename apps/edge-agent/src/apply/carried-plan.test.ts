/**
 * The plan is made once, on the read-only connection, and carried under the write lock. A schema
 * changed by another process in between is caught by schema_version under the lock: the change is
 * refused with nothing run (exit 6), and the retry runs every check again, drift included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFile, exec, makeWorkspace, migrationsFolder, query, seedShop, type Workspace } from '../../test-support/fixtures.js';
import { loadBundle } from '../bundle/load-bundle.js';
import { openForWriting } from '../db/open-database.js';
import { exitCodeOf } from '../cli/exit-codes.js';
import { changeDatabase, readOnlySteps } from './change-database.js';
import type { ChangeOptions } from './change-options.js';
import { executeChange } from './execute-change.js';

let ws: Workspace;
let bundlePath: string;

beforeAll(async () => {
  ws = makeWorkspace();
  bundlePath = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'shop'), { sequence: 1 });
});
afterAll(() => ws.cleanup());

function options(dbPath: string, target = 'head'): ChangeOptions {
  return {
    command: 'upgrade',
    dbPath,
    bundle: loadBundle(bundlePath, [ws.pub]),
    target,
    force: false,
    allowRollback: false,
    backup: null,
    lockTimeoutMs: 1000,
    perRevision: false,
    fullIntegrity: false,
  };
}

describe('the plan carried under the write lock', () => {
  it('runs as planned when the schema did not change', async () => {
    const db = ws.path('steady.db');
    expect((await changeDatabase(options(db, 'shop_0002'))).error).toBeNull();
    seedShop(db, 300);
    const { report, error } = await changeDatabase(options(db));
    expect(error).toBeNull();
    expect(report).toMatchObject({ outcome: 'applied', from: 'shop_0002', to: 'shop_0003', revisions: ['shop_0003'], copies: { orders: 1 } });
    expect(report.sizesBefore.orders).toBeGreaterThan(0);
    expect(report.sizesAfter.orders).toBeGreaterThan(0);
    expect(query(db, 'SELECT count(*) AS n FROM orders')).toEqual([{ n: 300 }]);
  });

  it('is refused, with nothing run, when another process changed the schema after planning', async () => {
    const db = ws.path('changed.db');
    expect((await changeDatabase(options(db, 'shop_0002'))).error).toBeNull();
    seedShop(db, 300);
    const planned = readOnlySteps(options(db));
    expect(planned.refusal).toBeNull();
    exec(db, 'CREATE INDEX orders_by_hand ON orders (customer_id)');
    const schema = () => query(db, "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'godwit_%' ORDER BY name");
    const before = schema();

    const writer = openForWriting(db, 1000);
    const execution = (() => {
      try {
        return executeChange(writer, { options: options(db), prepared: planned.prepared!, plan: planned.plan!, started: performance.now() });
      } finally {
        writer.close();
      }
    })();
    expect(execution).toMatchObject({ outcome: 'refused', revisions: [], heads: ['shop_0002'], steps: [] });
    expect(execution.error?.code).toBe('schema-changed');
    expect(exitCodeOf(execution.error)).toBe(6);
    expect(query(db, "SELECT revision FROM godwit_heads")).toEqual([{ revision: 'shop_0002' }]);
    expect(query(db, "SELECT outcome FROM godwit_apply_log ORDER BY id DESC LIMIT 1")).toEqual([{ outcome: 'refused' }]);
    expect(schema()).toEqual(before);
    expect(query(db, 'SELECT count(*) AS n FROM orders')).toEqual([{ n: 300 }]);

    // The retry checks everything again: the hand-made index is drift.
    const retry = await changeDatabase(options(db));
    expect(retry.report).toMatchObject({ outcome: 'refused', from: 'shop_0002', to: 'shop_0002' });
    expect(retry.error?.code).toBe('drift');
  });
});
