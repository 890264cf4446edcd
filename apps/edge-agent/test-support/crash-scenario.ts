/**
 * Guarantee 2 under SIGKILL: kills `edge-agent upgrade` at many moments of a multi-revision upgrade
 * that rebuilds a 200,000-row table, and checks after each kill that the database is intact and at
 * the old or the target revision, with that revision's exact rows, and that an upgrade then completes.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { expect } from 'vitest';
import { agent, bundleFile, makeWorkspace, migrationsFolder, query, seedShop, setJournalMode, spawnAgent, tableDigest, target, type Workspace } from './fixtures.js';

/** Two more indexes on orders after the rebuild: the upgrade's last revision is index builds. */
const INDEX_REVISION = `export default {
  id: 'shop_0004',
  parent: 'shop_0003',
  message: 'index orders by status and by total',
  up(op) {
    op.createIndex('orders_by_status', 'orders', ['status', 'total_cents']);
    op.createIndex('orders_by_total', 'orders', ['total_cents DESC', 'customer_id']);
  },
  down(op) {
    op.dropIndex('orders_by_total');
    op.dropIndex('orders_by_status');
  },
};
`;

const DIGESTED: Record<string, string[]> = {
  customers: ['id', 'name', 'email', 'created_at'],
  // updated_at is set to the time of the upgrade by the orders_touch trigger: only whether it is set can match.
  orders: ['id', 'customer_id', 'status', 'total_cents', 'updated_at IS NULL'],
  order_items: ['id', 'order_id', 'sku', 'quantity'],
};

export const ORDERS = 200_000;

interface RevisionSnapshot {
  digests: Record<string, { rows: number; hash: string }>;
  objects: string[];
}

function snapshot(db: string): RevisionSnapshot {
  const digests: RevisionSnapshot['digests'] = {};
  for (const [table, columns] of Object.entries(DIGESTED)) digests[table] = tableDigest(db, table, columns);
  const objects = query<{ type: string; name: string }>(db, "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name").map(
    (o) => `${o.type} ${o.name}`,
  );
  return { digests, objects };
}

function current(db: string): string | null {
  const run = agent(['current', '--db', db, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).revision;
}

export interface CrashSetup {
  mode: 'delete' | 'wal';
  ws: Workspace;
  bundle: string;
  pristine: string;
  old: RevisionSnapshot;
  target: RevisionSnapshot;
  /** Milliseconds from the first progress line to the end of an uninterrupted upgrade. */
  span: number;
}

export async function prepareCrashScenario(mode: 'delete' | 'wal'): Promise<CrashSetup> {
  const ws = makeWorkspace(`agent-crash-${mode}-`);
  const bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations', { '0004_order_indexes.mjs': INDEX_REVISION }), { sequence: 1 });
  const pristine = ws.path('pristine.db');
  expect(agent(['upgrade', 'shop_0001', ...target(ws, pristine, bundle), '--no-backup']).code).toBe(0);
  seedShop(pristine, ORDERS);
  setJournalMode(pristine, mode);
  const reference = ws.path('reference.db');
  copyFileSync(pristine, reference);
  const started = await runUntil(reference, ws, bundle, null);
  expect(current(reference)).toBe('shop_0004');
  return { mode, ws, bundle, pristine, old: snapshot(pristine), target: snapshot(reference), span: started.span };
}

/** Runs the upgrade; kills it `killAfter` ms after its first progress line (never, if null). */
async function runUntil(db: string, ws: Workspace, bundle: string, killAfter: number | null, beforeProgress = false): Promise<{ span: number; killed: boolean }> {
  const child = spawnAgent(['upgrade', ...target(ws, db, bundle), '--no-backup']);
  let firstProgress = 0;
  let killTimer: NodeJS.Timeout | undefined;
  const kill = () => child.kill('SIGKILL');
  if (killAfter !== null && beforeProgress) killTimer = setTimeout(kill, killAfter);
  child.stderr!.on('data', () => {
    if (firstProgress !== 0) return;
    firstProgress = performance.now();
    if (killAfter !== null && !beforeProgress) killTimer = setTimeout(kill, killAfter);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killTimer);
  if (killAfter === null) expect(code).toBe(0);
  return { span: performance.now() - firstProgress, killed: code === null };
}

export interface KillOutcome {
  at: string;
  revision: string | null;
  killed: boolean;
}

/** One kill and every check after it. */
export async function killAndCheck(setup: CrashSetup, index: number, at: { afterProgressMs?: number; afterSpawnMs?: number }): Promise<KillOutcome> {
  const db = setup.ws.path(`kill-${index}.db`);
  copyFileSync(setup.pristine, db);
  const { killed } =
    at.afterSpawnMs !== undefined
      ? await runUntil(db, setup.ws, setup.bundle, at.afterSpawnMs, true)
      : await runUntil(db, setup.ws, setup.bundle, at.afterProgressMs!);
  const revision = current(db);
  expect(['shop_0001', 'shop_0004']).toContain(revision);
  expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  const expected = revision === 'shop_0001' ? setup.old : setup.target;
  const now = snapshot(db);
  expect(now.objects, 'no rebuild leftovers, exactly the schema of the revision').toEqual(expected.objects);
  expect(now.digests).toEqual(expected.digests);
  const second = agent(['upgrade', ...target(setup.ws, db, setup.bundle), '--no-backup', '--json']);
  expect(second.code, second.stderr).toBe(0);
  expect(JSON.parse(second.stdout).to).toBe('shop_0004');
  expect(snapshot(db).digests.orders).toEqual(setup.target.digests.orders);
  expect(query(db, 'PRAGMA journal_mode'), 'the journal mode is kept').toEqual([{ journal_mode: setup.mode }]);
  rmSync(db, { force: true });
  rmSync(`${db}-wal`, { force: true });
  rmSync(`${db}-shm`, { force: true });
  return { at: JSON.stringify(at), revision, killed };
}

/** Kills wanted, and the most attempts made to land them (a run may finish before its kill time). */
export const KILLS_WANTED = 22;
const MAX_ATTEMPTS = 36;

/**
 * Kills at spread moments: two before the copy starts, then 26 evenly over the whole calibrated run
 * (copy, index builds, checks, commit, exit), then, while fewer than KILLS_WANTED landed (runs that
 * finished first), more moments in between.
 */
export async function killRepeatedly(setup: CrashSetup): Promise<KillOutcome[]> {
  const spread: { afterProgressMs?: number; afterSpawnMs?: number }[] = [{ afterSpawnMs: 150 }, { afterSpawnMs: 400 }];
  for (let i = 0; i < 26; i++) spread.push({ afterProgressMs: Math.round((setup.span * i) / 25) });
  const outcomes: KillOutcome[] = [];
  for (const [i, at] of spread.entries()) outcomes.push(await killAndCheck(setup, i, at));
  for (let i = 0; outcomes.filter((o) => o.killed).length < KILLS_WANTED && outcomes.length < MAX_ATTEMPTS; i++) {
    outcomes.push(await killAndCheck(setup, spread.length + i, { afterProgressMs: Math.round(setup.span * (0.05 + ((i * 0.37) % 0.85))) }));
  }
  return outcomes;
}
