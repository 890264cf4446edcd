import { readFileSync, writeFileSync } from 'node:fs';
import { decodeEnvelope } from '@godwit/migration-bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agent,
  bundleFile,
  expiredBundleFile,
  makeWorkspace,
  migrationsFolder,
  seedShop,
  setJournalMode,
  sha256File,
  target,
  type Workspace,
} from '../apps/edge-agent/test-support/fixtures.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
let ws: Workspace;
let good: string;
const tampered: Record<string, string> = {};

function flipBitInside(path: string, out: string, part: Uint8Array): string {
  const bytes = Buffer.from(readFileSync(path));
  const offset = bytes.indexOf(Buffer.from(part));
  expect(offset).toBeGreaterThan(0);
  bytes[offset + Math.floor(part.length / 2)]! ^= 0x10;
  writeFileSync(ws.path(out), bytes);
  return ws.path(out);
}

beforeAll(async () => {
  ws = makeWorkspace();
  const migrations = migrationsFolder(ws, 'migrations');
  good = await bundleFile(ws, 'good.mbundle', migrations, { sequence: 20 });
  const envelope = decodeEnvelope(readFileSync(good));
  tampered['flipped bit in the manifest'] = flipBitInside(good, 'manifest-bit.mbundle', envelope.manifest);
  tampered['flipped bit in the signature'] = flipBitInside(good, 'signature-bit.mbundle', envelope.signatures[0]!.sig);
  tampered['signed by an unknown key'] = await bundleFile(ws, 'unknown-key.mbundle', migrations, { sequence: 30, key: ws.otherKey });
  tampered['older sequence than applied'] = await bundleFile(ws, 'older.mbundle', migrations, { sequence: 5 });
  tampered['expired'] = await expiredBundleFile(ws, 'expired.mbundle', migrations, 40);
  const rewritten = migrationsFolder(ws, 'rewritten');
  const first = readFileSync(`${rewritten}/0001_create_shop.mjs`, 'utf8').replace("{ name: 'sku', type: 'TEXT', notNull: true }", "{ name: 'sku', type: 'TEXT' }");
  writeFileSync(`${rewritten}/0001_create_shop.mjs`, first);
  tampered['history rewritten (shop_0001 edited after it was applied)'] = await bundleFile(ws, 'rewritten.mbundle', rewritten, { sequence: 50 });
});
afterAll(() => ws.cleanup());

describe.each(['delete', 'wal'] as const)('a refused bundle leaves the database byte-identical (%s journal)', (mode) => {
  let db: string;
  beforeAll(() => {
    db = ws.path(`device-${mode}.db`);
    expect(agent(['upgrade', 'shop_0001', ...target(ws, db, good), '--no-backup']).code).toBe(0);
    seedShop(db, 2000);
    setJournalMode(db, mode);
  });

  it.each(['flipped bit in the manifest', 'flipped bit in the signature', 'signed by an unknown key', 'older sequence than applied', 'expired', 'history rewritten (shop_0001 edited after it was applied)'])(
    '%s: exit 3',
    (name) => {
      const before = sha256File(db);
      const run = agent(['upgrade', ...target(ws, db, tampered[name]!), '--json']);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'refused', revisions: [] });
      if (name.startsWith('history')) expect(run.stderr).toContain('shop_0001');
      if (name.startsWith('older')) expect(run.stderr).toContain('--allow-rollback');
      expect(sha256File(db)).toBe(before);
      // A read-only look at a WAL database may leave an empty -wal file: nothing that could reach the file.
      expect(['absent', EMPTY_SHA256]).toContain(sha256File(`${db}-wal`));
      expect(agent(['verify', '--bundle', tampered[name]!, '--trust', ws.pub]).code).toBe(name.startsWith('older') || name.startsWith('history') ? 0 : 3);
    },
  );

  it('an older sequence is applied with --allow-rollback, and the log says so', async () => {
    const copy = ws.path(`rollback-${mode}.db`);
    const { copyFileSync } = await import('node:fs');
    copyFileSync(db, copy);
    const run = agent(['upgrade', ...target(ws, copy, tampered['older sequence than applied']!), '--allow-rollback', '--no-backup', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'applied', rollbackAllowed: true });
    const current = JSON.parse(agent(['current', '--db', copy, '--json']).stdout);
    expect(current.bundleSequence).toBe(20);
  });
});
