import { openSync, readFileSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { createBundle, createGraph, fingerprintOf, loadRevisions, planChain } from '@godwit/migration-bundle';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, makeWorkspace, migrationsFolder, query, seedShop, sha256File, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

let ws: Workspace;
let good: string;

beforeAll(async () => {
  ws = makeWorkspace();
  good = await bundleFile(ws, 'good.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
});
afterAll(() => ws.cleanup());

/** A correctly signed bundle whose expected schema after shop_0003 lacks an index its SQL creates. */
async function bundleWithWrongExpectation(): Promise<string> {
  const revisions = await loadRevisions(migrationsFolder(ws, 'wrong'));
  const graph = createGraph(revisions);
  const planned = planChain(graph.order().map((id) => revisions.find((r) => r.id === id)!), graph);
  const last = planned.find((r) => r.id === 'shop_0003')!;
  last.schema = { ...last.schema, indexes: last.schema.indexes.filter((i) => i.name !== 'orders_by_customer') };
  last.fingerprint = fingerprintOf(last.schema);
  const path = ws.path('wrong.mbundle');
  writeFileSync(path, createBundle({ revisions: planned, keys: [ws.key], sequence: 2, expiresAt: null }).bytes);
  return path;
}

describe('checks around the migration', () => {
  it('rolls everything back (exit 5) when the result does not match the bundle\'s expected schema, and logs why', async () => {
    const wrong = await bundleWithWrongExpectation();
    const db = ws.path('validate.db');
    expect(agent(['upgrade', 'shop_0002', ...target(ws, db, good), '--no-backup']).code).toBe(0);
    seedShop(db, 1000);
    const run = agent(['upgrade', ...target(ws, db, wrong), '--no-backup', '--json']);
    expect(run.code, run.stderr).toBe(5);
    expect(run.stderr).toMatch(/^edge-agent: the schema after shop_0003 is not the one the bundle expects/);
    expect(run.stderr).toContain('orders_by_customer');
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'rolled-back', from: 'shop_0002', to: 'shop_0002' });
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBe('shop_0002');
    const log = query<{ outcome: string; error: string }>(db, 'SELECT outcome, error FROM godwit_apply_log ORDER BY id DESC LIMIT 1');
    expect(log[0]).toMatchObject({ outcome: 'rolled-back', error: expect.stringContaining('not the one the bundle expects') });
  });

  it('refuses a database whose touched table fails quick_check (exit 6), before any change', () => {
    const db = ws.path('damaged.db');
    expect(agent(['upgrade', 'shop_0001', ...target(ws, db, good), '--no-backup']).code).toBe(0);
    seedShop(db, 20_000);
    const raw = new Database(db, { readonly: true });
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const leaf = raw.prepare("SELECT pageno FROM dbstat WHERE name = 'customers' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3").get() as { pageno: number };
    raw.close();
    // shop_0002 adds a column to customers in place (no copy): the pre-check must catch its damage.
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, (leaf.pageno - 1) * pageSize + 8);
    closeSync(fd);
    const before = sha256File(db);
    const run = agent(['upgrade', 'shop_0002', ...target(ws, db, good)]);
    expect(run.code, run.stderr).toBe(6);
    expect(run.stderr).toMatch(/^edge-agent: database .* failed its integrity check/);
    expect(sha256File(db)).toBe(before);
    expect(readFileSync(db).length).toBeGreaterThan(0);
  });
});
