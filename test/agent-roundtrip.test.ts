import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, exec, makeWorkspace, migrationsFolder, query, seedShop, tableDigest, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

const KEPT: Record<string, string[]> = {
  customers: ['id', 'name', 'email', 'created_at'],
  orders: ['id', 'customer_id', 'status', 'total_cents', 'updated_at'],
  order_items: ['id', 'order_id', 'sku', 'quantity'],
};

let ws: Workspace;
let bundle: string;

beforeAll(async () => {
  ws = makeWorkspace();
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
});
afterAll(() => ws.cleanup());

function digests(db: string) {
  return Object.fromEntries(Object.entries(KEPT).map(([table, columns]) => [table, tableDigest(db, table, columns)]));
}

describe('downgrade and upgrade again', () => {
  it('down to the first revision and back to head keeps every row of the kept columns', () => {
    const db = ws.path('rows.db');
    expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    seedShop(db, 20_000, { nullStatusEvery: 1_000_000 });
    expect(agent(['upgrade', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    exec(db, "UPDATE customers SET phone = '555-' || id");
    const atHead = digests(db);
    const down = agent(['downgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ outcome: 'applied', from: 'shop_0003', to: 'shop_0001', revisions: ['shop_0003', 'shop_0002'] });
    expect(digests(db)).toEqual(atHead);
    expect(agent(['upgrade', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    expect(digests(db)).toEqual(atHead);
    // The dropped column comes back empty: its values went with the downgrade.
    expect(query(db, 'SELECT count(phone) AS n FROM customers')).toEqual([{ n: 0 }]);
    expect(query(db, 'PRAGMA foreign_key_check')).toEqual([]);
  });

  it('down to base and back to head gives the same schema and bookkeeping', () => {
    const db = ws.path('base.db');
    expect(agent(['upgrade', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    const atHead = JSON.parse(agent(['current', '--db', db, '--json']).stdout);
    const down = agent(['downgrade', 'base', ...target(ws, db, bundle), '--no-backup', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBeNull();
    expect(query(db, "SELECT name FROM sqlite_master WHERE name NOT LIKE 'godwit_%' AND name NOT LIKE 'sqlite_%'")).toEqual([]);
    expect(agent(['upgrade', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout)).toEqual(atHead);
  });

  it('downgrade refuses a target above the current revision, as a usage error', () => {
    const db = ws.path('above.db');
    expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    const run = agent(['downgrade', 'shop_0003', ...target(ws, db, bundle)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('edge-agent upgrade');
  });
});
