import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, makeWorkspace, migrationsFolder, query, seedShop, sha256File, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

const BREAKS_NOT_NULL = `export default {
  id: 'shop_0004',
  parent: 'shop_0003',
  message: 'forget the names of half the customers',
  up(op) {
    op.execute('UPDATE customers SET name = NULL WHERE id % 2 = 0');
  },
};
`;

let ws: Workspace;
let good: string;
let broken: string;
let db: string;

beforeAll(async () => {
  ws = makeWorkspace();
  good = await bundleFile(ws, 'good.mbundle', migrationsFolder(ws, 'good'), { sequence: 1 });
  broken = await bundleFile(ws, 'broken.mbundle', migrationsFolder(ws, 'broken', { '0004_break.mjs': BREAKS_NOT_NULL }), { sequence: 2 });
  db = ws.path('device.db');
  expect(agent(['upgrade', 'shop_0001', ...target(ws, db, good), '--no-backup']).code).toBe(0);
  seedShop(db, 5000);
});
afterAll(() => ws.cleanup());

describe('--rehearse runs the whole upgrade on a throwaway copy', () => {
  it('reports durations, rows and sizes of a good upgrade; the file stays byte-identical', () => {
    const before = sha256File(db);
    const run = agent(['upgrade', ...target(ws, db, good), '--rehearse', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ outcome: 'applied', rehearsal: true, from: 'shop_0001', to: 'shop_0003', revisions: ['shop_0002', 'shop_0003'] });
    expect(report.steps.find((s: { revision: string }) => s.revision === 'shop_0003').rebuilt).toEqual([
      { table: 'orders', rowsCopied: 5000, bytesBefore: report.sizesBefore.orders, bytesAfter: report.sizesAfter.orders },
    ]);
    expect(report.sizesBefore.orders).toBeGreaterThan(5000 * 20);
    expect(report.sizesAfter.orders).toBeGreaterThan(5000 * 20);
    expect(sha256File(db)).toBe(before);
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBe('shop_0001');
  });

  it('reports a data migration that breaks NOT NULL, naming the revision: exit 5, file byte-identical', () => {
    const before = sha256File(db);
    const run = agent(['upgrade', ...target(ws, db, broken), '--rehearse']);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/^edge-agent: rehearsal: revision shop_0004 failed .*NOT NULL/m);
    expect(run.stderr).not.toContain('edge-agent-rehearsal-');
    expect(sha256File(db)).toBe(before);
  });

  it('the real run of the broken bundle rolls back everything (exit 5) and logs why', () => {
    const real = ws.path('real.db');
    copyFileSync(db, real);
    const run = agent(['upgrade', ...target(ws, real, broken), '--json']);
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'rolled-back', from: 'shop_0001', to: 'shop_0001', revisions: [] });
    expect(JSON.parse(agent(['current', '--db', real, '--json']).stdout).revision).toBe('shop_0001');
    expect(query(real, "SELECT count(*) AS n FROM customers WHERE name IS NULL")).toEqual([{ n: 0 }]);
    const log = query<{ outcome: string; error: string }>(real, 'SELECT outcome, error FROM godwit_apply_log ORDER BY id DESC LIMIT 1');
    expect(log[0]!.outcome).toBe('rolled-back');
    expect(log[0]!.error).toContain('shop_0004');
  });

  it('--per-revision keeps the revisions that committed before the failing one', () => {
    const real = ws.path('per-revision.db');
    copyFileSync(db, real);
    const run = agent(['upgrade', ...target(ws, real, broken), '--per-revision', '--no-backup', '--json']);
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'rolled-back', to: 'shop_0003', revisions: ['shop_0002', 'shop_0003'] });
    expect(JSON.parse(agent(['current', '--db', real, '--json']).stdout).revision).toBe('shop_0003');
    expect(query(real, 'SELECT from_revision AS "from", to_revision AS "to", outcome, revisions FROM godwit_apply_log ORDER BY id')).toEqual([
      { from: null, to: 'shop_0001', outcome: 'applied', revisions: '["shop_0001"]' },
      { from: 'shop_0001', to: 'shop_0002', outcome: 'applied', revisions: '["shop_0002"]' },
      { from: 'shop_0002', to: 'shop_0003', outcome: 'applied', revisions: '["shop_0003"]' },
      { from: 'shop_0003', to: 'shop_0003', outcome: 'rolled-back', revisions: '["shop_0004"]' },
    ]);
  });
});
