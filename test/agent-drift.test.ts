import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, exec, makeWorkspace, migrationsFolder, query, seedShop, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

let ws: Workspace;
let bundle: string;
let base: string;

beforeAll(async () => {
  ws = makeWorkspace();
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
  base = ws.path('base.db');
  expect(agent(['upgrade', 'shop_0002', ...target(ws, base, bundle), '--no-backup']).code).toBe(0);
  seedShop(base, 3000);
});
afterAll(() => ws.cleanup());

function drifted(name: string, sql: string): string {
  const db = ws.path(name);
  copyFileSync(base, db);
  exec(db, sql);
  return db;
}

describe('drift: a schema changed by hand', () => {
  it('a column added by hand: upgrade and check exit 4 naming it; --force upgrades, keeps it, and logs it', () => {
    const db = drifted('column.db', "ALTER TABLE orders ADD COLUMN note TEXT; UPDATE orders SET note = 'n' || id WHERE id % 3 = 0");
    const upgrade = agent(['upgrade', ...target(ws, db, bundle)]);
    expect(upgrade.code).toBe(4);
    expect(upgrade.stderr).toMatch(/^edge-agent: .*--force/);
    expect(upgrade.stderr).toMatch(/note/);
    const check = agent(['check', ...target(ws, db, bundle)]);
    expect(check.code).toBe(4);
    expect(check.stderr).toMatch(/orders.*note|note.*orders/);
    const forced = agent(['upgrade', ...target(ws, db, bundle), '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ outcome: 'applied', to: 'shop_0003', forced: true, drift: expect.stringContaining('note') });
    expect(query(db, "SELECT count(*) AS n FROM orders WHERE note IS NOT NULL")).toEqual([{ n: 1000 }]);
    const log = query<{ forced: number; drift: string }>(db, 'SELECT forced, drift FROM godwit_apply_log ORDER BY id DESC LIMIT 1');
    expect(log[0]!.forced).toBe(1);
    expect(log[0]!.drift).toContain('note');
  });

  it('an index dropped by hand: upgrade and check exit 4 naming it', () => {
    const db = drifted('index.db', 'DROP INDEX orders_by_customer');
    const upgrade = agent(['upgrade', ...target(ws, db, bundle)]);
    expect(upgrade.code).toBe(4);
    expect(upgrade.stderr).toContain('orders_by_customer');
    const check = agent(['check', ...target(ws, db, bundle), '--json']);
    expect(check.code).toBe(4);
    expect(JSON.parse(check.stdout)).toMatchObject({ clean: false, revision: 'shop_0002' });
    const forced = agent(['upgrade', ...target(ws, db, bundle), '--force', '--no-backup']);
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('a trigger added by hand is carried through a forced rebuild', () => {
    const db = drifted('trigger.db', "CREATE TABLE audit (order_id INTEGER); CREATE TRIGGER orders_audit AFTER DELETE ON orders BEGIN INSERT INTO audit VALUES (OLD.id); END");
    expect(agent(['upgrade', ...target(ws, db, bundle), '--no-backup']).code).toBe(4);
    expect(agent(['upgrade', ...target(ws, db, bundle), '--force', '--no-backup']).code).toBe(0);
    exec(db, 'DELETE FROM orders WHERE id = 1');
    expect(query(db, 'SELECT order_id FROM audit')).toEqual([{ order_id: 1 }]);
  });
});
