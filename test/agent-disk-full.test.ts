import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, makeWorkspace, migrationsFolder, query, seedShop, sha256File, smallDisk, tableDigest, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

/** Grows every order by 4 kB in a data migration: nothing a space estimate made from the plan can see. */
const INFLATE = `export default {
  id: 'shop_0004',
  parent: 'shop_0003',
  message: 'attach a receipt to every order',
  up(op) {
    op.addColumn('orders', 'receipt', 'BLOB');
    op.execute('UPDATE orders SET receipt = zeroblob(4000)');
  },
  down(op) {
    op.dropColumn('orders', 'receipt');
  },
};
`;

const disk = smallDisk('16m');
let ws: Workspace;
let bundle: string;
let inflating: string;
let db: string;

beforeAll(async () => {
  if (!disk.mounted) return;
  ws = makeWorkspace();
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
  inflating = await bundleFile(ws, 'inflate.mbundle', migrationsFolder(ws, 'inflate', { '0004_receipts.mjs': INFLATE }), { sequence: 2 });
  db = join(disk.dir, 'device.db');
  expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
  seedShop(db, 100_000);
});

afterAll(() => {
  disk.remove();
  ws?.cleanup();
});

describe.skipIf(!disk.mounted)('a disk too small for the upgrade (16 MB tmpfs)', () => {
  it('is refused up front (exit 6) when the estimate does not fit, the file untouched', () => {
    const before = sha256File(db);
    const run = agent(['upgrade', ...target(ws, db, bundle), '--json']);
    expect(run.code, run.stderr).toBe(6);
    expect(run.stderr).toMatch(/^edge-agent: not enough free space in .*free some space/);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'refused', from: 'shop_0001' });
    expect(sha256File(db)).toBe(before);
  });

  it('rolls back intact (exit 5 or 6) when it fits the estimate but runs out anyway', () => {
    const orders = tableDigest(db, 'orders', ['id', 'customer_id', 'status', 'total_cents', 'updated_at']);
    const run = agent(['upgrade', ...target(ws, db, inflating), '--no-backup', '--json']);
    expect([5, 6], run.stderr).toContain(run.code);
    expect(run.stderr).toMatch(/failed \(the disk filled up\) and everything was rolled back.*free some space/);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'rolled-back', to: 'shop_0001' });
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBe('shop_0001');
    expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(tableDigest(db, 'orders', ['id', 'customer_id', 'status', 'total_cents', 'updated_at'])).toEqual(orders);
    expect(query(db, "SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '_godwit_%'")).toEqual([{ n: 0 }]);
  });
});
