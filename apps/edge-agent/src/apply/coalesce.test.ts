/**
 * A device several revisions behind: `upgrade` copies a table that three pending revisions rebuild
 * once, says so in `--dry-run` and `--json`, and still records every revision.
 */
import { readFileSync } from 'node:fs';
import { decodeBundleUnverified, renderSql } from '@godwit/migration-bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, makeWorkspace, migrationsFolder, query, seedShop, target, type Workspace } from '../../test-support/fixtures.js';

const revision = (n: number, body: string) => `export default {
  id: 'shop_000${n}', parent: 'shop_000${n - 1}', message: 'orders change ${n}',
  up(op) { ${body} },
};
`;

let ws: Workspace;
let bundle: string;

beforeAll(async () => {
  ws = makeWorkspace();
  const migrations = migrationsFolder(ws, 'catch-up', {
    '0004.mjs': revision(4, "op.addCheck('orders', 'total_known', 'total_cents >= 0');"),
    '0005.mjs': revision(5, "op.addColumn('orders', 'channel', 'TEXT', { default: \"'web'\" });"),
    '0006.mjs': revision(6, "op.alterColumn('orders', 'customer_id', { notNull: true });"),
  });
  bundle = await bundleFile(ws, 'catch-up.mbundle', migrations, { sequence: 1 });
});
afterAll(() => ws.cleanup());

describe('catch-up upgrade', () => {
  it('plans, runs and reports the three rebuilds of orders as one copy', () => {
    const db = ws.path('behind.db');
    expect(agent(['upgrade', 'shop_0003', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    seedShop(db, 400, { nullStatusEvery: 1_000_000 });
    const dry = agent(['upgrade', ...target(ws, db, bundle), '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.copies).toEqual({ orders: 1 });
    expect(plan.plan.map((r: { coalesced?: string[] }) => r.coalesced)).toEqual([['shop_0004', 'shop_0005', 'shop_0006']]);
    expect(agent(['upgrade', ...target(ws, db, bundle), '--dry-run']).stdout).toMatch(/shop_0004 \+ shop_0005 \+ shop_0006 \(coalesced\) \(up\): table rebuild/);

    const run = agent(['upgrade', ...target(ws, db, bundle), '--no-backup', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ outcome: 'applied', to: 'shop_0006', revisions: ['shop_0004', 'shop_0005', 'shop_0006'], copies: { orders: 1 } });
    expect(report.steps.map((s: { coalesced: string[] }) => s.coalesced.length)).toEqual([3, 3, 3]);
    expect(query(db, 'SELECT count(*) AS n FROM orders')).toEqual([{ n: 400 }]);
    expect(JSON.parse(query<{ revisions: string }>(db, "SELECT revisions FROM godwit_apply_log ORDER BY id DESC LIMIT 1")[0]!.revisions)).toEqual(['shop_0004', 'shop_0005', 'shop_0006']);
  });

  it('prints with --sql the very script mbundle sql prints for the range', () => {
    const db = ws.path('script.db');
    expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    const sql = agent(['upgrade', ...target(ws, db, bundle), '--sql']);
    expect(sql.code, sql.stderr).toBe(0);
    const { manifest } = decodeBundleUnverified(readFileSync(bundle));
    expect(sql.stdout).toBe(renderSql(manifest, 'shop_0001', 'head'));
    expect(sql.stdout).toMatch(/^-- Revisions shop_0002, shop_0003, shop_0004, shop_0005, shop_0006 \(up\), coalesced/m);
    expect(sql.stdout).toMatch(/^PRAGMA foreign_keys = OFF;/);
  });

  it('copies once per revision with --per-revision', () => {
    const db = ws.path('per-revision.db');
    expect(agent(['upgrade', 'shop_0003', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    seedShop(db, 100, { nullStatusEvery: 1_000_000 });
    const report = JSON.parse(agent(['upgrade', ...target(ws, db, bundle), '--no-backup', '--per-revision', '--json']).stdout);
    expect(report.copies).toEqual({ orders: 2 });
  });
});
