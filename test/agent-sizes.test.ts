/**
 * `upgrade --json`'s sizesBefore / sizesAfter (and the apply log's) are what dbstat counts for each
 * rebuilt table with its indexes, though no table is walked; and the free-space check still passes
 * an upgrade whose rebuilt tables fit where the whole database would not.
 */
import { copyFileSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, makeWorkspace, migrationsFolder, query, seedShop, smallDisk, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

let ws: Workspace;
let bundle: string;

beforeAll(async () => {
  ws = makeWorkspace();
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
});
afterAll(() => ws.cleanup());

/** dbstat's bytes of a table and every index on it. */
function dbstatBytes(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const names = [table, ...(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?").pluck().all(table) as string[])];
    const bytes = db.prepare('SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ? AND aggregate = TRUE').pluck();
    return names.reduce((sum, name) => sum + (bytes.get(name) as number), 0);
  } finally {
    db.close();
  }
}

function shopAt0001(path: string, orders: number): void {
  expect(agent(['upgrade', 'shop_0001', ...target(ws, path, bundle), '--no-backup']).code).toBe(0);
  seedShop(path, orders);
}

describe('table sizes of an upgrade', () => {
  it("equal dbstat's for the rebuilt table, in the report, its step and the apply log", () => {
    const db = ws.path('sizes.db');
    shopAt0001(db, 20_000);
    // "Before" is when the rebuild begins: after shop_0003's data migration, which runs first.
    const copy = ws.path('sizes-copy.db');
    copyFileSync(db, copy);
    const writer = new Database(copy);
    writer.exec("UPDATE orders SET status = 'pending' WHERE status IS NULL");
    writer.close();
    const before = dbstatBytes(copy, 'orders');
    const run = agent(['upgrade', ...target(ws, db, bundle), '--no-backup', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const after = dbstatBytes(db, 'orders');
    expect(before).toBeGreaterThan(20_000 * 20);
    // customers only gained a column in place: no table that is not copied is sized.
    expect(report.sizesBefore).toEqual({ orders: before });
    expect(report.sizesAfter).toEqual({ orders: after });
    const step = report.steps.find((s: { revision: string }) => s.revision === 'shop_0003');
    expect(step.rebuilt).toEqual([{ table: 'orders', rowsCopied: 20_000, bytesBefore: before, bytesAfter: after }]);
    const [log] = query(db, "SELECT sizes_before, sizes_after FROM godwit_apply_log WHERE outcome = 'applied' ORDER BY id DESC LIMIT 1") as { sizes_before: string; sizes_after: string }[];
    expect(JSON.parse(log!.sizes_before)).toEqual({ orders: before });
    expect(JSON.parse(log!.sizes_after)).toEqual({ orders: after });
  });
});

const disk = smallDisk('16m');
afterAll(() => disk.remove());

describe.skipIf(!disk.mounted)('free space on a 16 MB disk', () => {
  it('passes an upgrade whose rebuilt table fits twice over though the whole database would not', () => {
    const db = join(disk.dir, 'device.db');
    shopAt0001(db, 5_000);
    // customers, which the upgrade alters in place, fills most of the disk.
    const writer = new Database(db);
    writer.exec("UPDATE customers SET name = name || printf('%.*c', 25000, 'n')");
    writer.close();
    const { bavail, bsize } = statfsSync(disk.dir);
    const free = bavail * bsize;
    expect(2 * statSync(db).size).toBeGreaterThan(free);
    expect(2 * dbstatBytes(db, 'orders') + 1024 * 1024).toBeLessThan(free);
    const run = agent(['upgrade', ...target(ws, db, bundle), '--no-backup', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'applied', to: 'shop_0003' });
  });
});
