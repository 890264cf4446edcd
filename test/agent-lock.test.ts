import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, makeWorkspace, migrationsFolder, setJournalMode, sha256File, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

let ws: Workspace;
let bundle: string;
const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');

beforeAll(async () => {
  ws = makeWorkspace();
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
});
afterAll(() => ws.cleanup());

describe.each(['delete', 'wal'] as const)('a database another process is writing (%s journal)', (mode) => {
  it('upgrade waits --lock-timeout, then exits 6 without changing it', async () => {
    const db = ws.path(`locked-${mode}.db`);
    expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    setJournalMode(db, mode);
    const holder = spawn(process.execPath, [
      '-e',
      `const D = require(${JSON.stringify(betterSqlite)}); const db = new D(${JSON.stringify(db)});
       db.exec('BEGIN IMMEDIATE'); db.exec("INSERT INTO customers (name) VALUES ('held')");
       console.log('holding'); setTimeout(() => {}, 60000);`,
    ]);
    await once(holder.stdout!, 'data');
    try {
      const before = sha256File(db);
      const started = performance.now();
      const run = agent(['upgrade', ...target(ws, db, bundle), '--lock-timeout', '800', '--json']);
      const waited = performance.now() - started;
      expect(run.code, run.stderr).toBe(6);
      expect(run.stderr).toMatch(/locked by another process/);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'refused' });
      expect(waited).toBeGreaterThanOrEqual(800);
      expect(sha256File(db)).toBe(before);
    } finally {
      holder.kill('SIGKILL');
    }
    expect(agent(['upgrade', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
  });
});

describe('a reader holding the database when the upgrade wants to write it out (rollback journal)', () => {
  it('rolls back and exits 6 after its wait, at the old revision', async () => {
    const db = ws.path('reader.db');
    expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    const reader = spawn(process.execPath, [
      '-e',
      `const D = require(${JSON.stringify(betterSqlite)}); const db = new D(${JSON.stringify(db)});
       db.exec('BEGIN'); db.prepare('SELECT count(*) FROM customers').get();
       console.log('reading'); setTimeout(() => {}, 60000);`,
    ]);
    await once(reader.stdout!, 'data');
    try {
      const run = agent(['upgrade', ...target(ws, db, bundle), '--no-backup', '--lock-timeout', '500', '--json']);
      expect(run.code, run.stderr).toBe(6);
      expect(run.stderr).toMatch(/locked by another process/);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'rolled-back', to: 'shop_0001', revisions: [] });
    } finally {
      reader.kill('SIGKILL');
    }
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBe('shop_0001');
    expect(agent(['upgrade', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
  });
});
