/**
 * Planner statistics through `edge-agent upgrade`: an analysed device database keeps them through
 * the rebuild of shop_0003, and the JSON report and the apply log say what was carried over and
 * what analysed; a database that was never analysed gets none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, exec, makeWorkspace, migrationsFolder, query, seedShop, target, type Workspace } from '../../test-support/fixtures.js';

let ws: Workspace;
let bundle: string;

beforeAll(async () => {
  ws = makeWorkspace();
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'shop'), { sequence: 1 });
});
afterAll(() => ws.cleanup());

function deviceAtFirstRevision(name: string): string {
  const db = ws.path(name);
  expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
  seedShop(db, 3000);
  return db;
}

type Stat = { tbl: string; idx: string | null; stat: string };

describe('upgrade keeps the planner statistics of an analysed database', () => {
  it('carries the rebuilt table\'s rows over and reports them in --json and the apply log', () => {
    const db = deviceAtFirstRevision('analysed.db');
    exec(db, 'ANALYZE');
    const before = query<Stat>(db, "SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl = 'orders' ORDER BY idx");
    expect(before.length).toBeGreaterThan(0);

    const run = agent(['upgrade', ...target(ws, db, bundle), '--no-backup', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const step = report.steps.find((s: { revision: string }) => s.revision === 'shop_0003');
    expect(step.statistics.carried).toEqual(expect.arrayContaining(before.map((row) => row.idx ?? row.tbl)));
    expect(step.statistics.analysed).toEqual([]);
    expect(query<Stat>(db, "SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl = 'orders' ORDER BY idx")).toEqual(before);

    const [log] = query<{ statistics: string }>(db, "SELECT statistics FROM godwit_apply_log WHERE outcome = 'applied' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(log!.statistics)).toEqual({ carried: expect.arrayContaining(before.map((row) => row.idx ?? row.tbl)), analysed: [], durationMs: expect.any(Number) });
  });

  it('says so in the text report', () => {
    const db = deviceAtFirstRevision('text.db');
    exec(db, 'ANALYZE');
    const run = agent(['upgrade', ...target(ws, db, bundle), '--no-backup']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {4}statistics carried over: .+$/m);
  });

  it('leaves a database that was never analysed without statistics', () => {
    const db = deviceAtFirstRevision('plain.db');
    const run = agent(['upgrade', ...target(ws, db, bundle), '--no-backup', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).steps.map((s: { statistics: unknown }) => s.statistics)).toEqual([null, null]);
    expect(query(db, "SELECT name FROM sqlite_schema WHERE name LIKE 'sqlite_stat%'")).toEqual([]);
    expect(query(db, 'SELECT statistics FROM godwit_apply_log')).toEqual([{ statistics: null }, { statistics: null }]);
  });
});
