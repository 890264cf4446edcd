import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bundleFile, makeWorkspace, migrationsFolder, query, seedShop, sha256File, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

let ws: Workspace;
let bundle: string;

beforeAll(async () => {
  ws = makeWorkspace();
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 10 });
});
afterAll(() => ws.cleanup());

describe('edge-agent command line', () => {
  it('prints help for every command and exits 2 on usage mistakes, in one line', () => {
    for (const command of ['upgrade', 'downgrade', 'current', 'history', 'stamp', 'check', 'verify', 'restore', 'run']) {
      const help = agent([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`edge-agent ${command}`);
    }
    const unknown = agent(['upgrade', '--db', ws.path('x.db'), '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^edge-agent: .*--bogus.*--help/);
    expect(agent(['upgrade', '--db', ws.path('x.db')]).stderr).toMatch(/missing --bundle/);
    expect(agent(['frobnicate']).code).toBe(2);
    const json = agent(['upgrade', '--json', '--bogus']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ from: null, to: null, revisions: [], outcome: 'refused', error: { code: 'usage' } });
    expect(JSON.parse(agent(['upgrade', '--json', '--db', ws.path('x.db')]).stdout)).toMatchObject({ outcome: 'refused' });
    expect(existsSync(ws.path('x.db'))).toBe(false);
  });

  it('upgrades a database that does not exist yet, then reports up-to-date, with one JSON object each time', () => {
    const db = ws.path('new.db');
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout)).toMatchObject({ revision: null, bundleSequence: null });
    const first = agent(['upgrade', ...target(ws, db, bundle), '--json']);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ from: null, to: 'shop_0003', revisions: ['shop_0001', 'shop_0002', 'shop_0003'], outcome: 'applied' });
    expect(typeof report.durationMs).toBe('number');
    const again = JSON.parse(agent(['upgrade', ...target(ws, db, bundle), '--json']).stdout);
    expect(again).toMatchObject({ from: 'shop_0003', to: 'shop_0003', revisions: [], outcome: 'up-to-date' });
    const current = JSON.parse(agent(['current', '--db', db, '--json']).stdout);
    expect(current).toEqual({ revision: 'shop_0003', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), bundleSequence: 10, heads: ['shop_0003'] });
    const log = query<{ command: string; outcome: string; revisions: string }>(db, 'SELECT command, outcome, revisions FROM godwit_apply_log');
    expect(log).toEqual([{ command: 'upgrade', outcome: 'applied', revisions: '["shop_0001","shop_0002","shop_0003"]' }]);
  });

  it('--dry-run and --sql show the plan and change nothing', () => {
    const db = ws.path('plan.db');
    expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
    seedShop(db, 500);
    const before = sha256File(db);
    const dry = agent(['upgrade', ...target(ws, db, bundle), '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/shop_0002 \(up\): native ALTER/);
    expect(dry.stdout).toMatch(/shop_0003 \(up\): table rebuild/);
    expect(dry.stdout).toMatch(/copies orders: ~500 rows/);
    const sql = agent(['upgrade', ...target(ws, db, bundle), '--sql']);
    expect(sql.code).toBe(0);
    expect(sql.stdout).toContain('ALTER TABLE "customers" ADD COLUMN "phone" TEXT;');
    expect(sql.stdout).toContain('DROP TABLE "orders";');
    expect(sha256File(db)).toBe(before);
    expect(existsSync(`${db}.backups`)).toBe(false);
  });

  it('history marks the current revision; verify describes the bundle; check is clean', () => {
    const db = ws.path('hist.db');
    agent(['upgrade', 'shop_0002', ...target(ws, db, bundle), '--no-backup']);
    const history = agent(['history', '--bundle', bundle, '--trust', ws.pub, '--db', db]);
    expect(history.stdout).toMatch(/shop_0002 .*<- current/);
    expect(history.stdout).toMatch(/shop_0001 .*\(applied\)/);
    const json = JSON.parse(agent(['history', '--bundle', bundle, '--trust', ws.pub, '--db', db, '--json']).stdout);
    expect(json.map((r: { current: boolean }) => r.current)).toEqual([false, true, false]);
    const verify = JSON.parse(agent(['verify', '--bundle', bundle, '--trust', ws.pub, '--json']).stdout);
    expect(verify).toMatchObject({ valid: true, sequence: 10, heads: ['shop_0003'] });
    expect(agent(['check', ...target(ws, db, bundle)]).code).toBe(0);
  });

  it('stamps a database whose schema matches, and refuses one that does not', () => {
    const source = ws.path('stamp-src.db');
    agent(['upgrade', 'shop_0002', ...target(ws, source, bundle), '--no-backup']);
    // A copy of the schema without bookkeeping: an app that created its tables itself.
    const db = ws.path('stamp.db');
    const ddl = query<{ sql: string }>(source, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'godwit_%' AND name NOT LIKE 'sqlite_%' ORDER BY rowid");
    const raw = new Database(db);
    for (const { sql } of ddl) raw.exec(sql);
    raw.close();
    const wrong = agent(['stamp', 'shop_0003', ...target(ws, db, bundle)]);
    expect(wrong.code).toBe(4);
    const right = agent(['stamp', 'shop_0002', ...target(ws, db, bundle)]);
    expect(right.code, right.stderr).toBe(0);
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBe('shop_0002');
    expect(agent(['upgrade', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
  });

  it('backs up before a change, prunes to --keep-backups, and restores the newest', () => {
    const db = ws.path('backup.db');
    const dir = ws.path('backups');
    for (const rev of ['shop_0001', 'shop_0002', 'shop_0003']) {
      expect(agent(['upgrade', rev, ...target(ws, db, bundle), '--backup-dir', dir, '--keep-backups', '2']).code).toBe(0);
    }
    expect(readdirSync(dir)).toHaveLength(2);
    const restored = agent(['restore', '--db', db, '--backup-dir', dir]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout).revision).toBe('shop_0002');
    expect(query<{ ok: string }>(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(agent(['restore', '--db', ws.path('none.db')]).code).toBe(1);
  });

  it('run --config validates its keys and --once applies the newest valid bundle', async () => {
    const config = ws.path('agent.json');
    const base = { db: 'device.db', trust: [ws.pub], bundles: 'inbox', mqtt: { url: 'mqtt://127.0.0.1:1', username: 'd', password: 'p' } };
    writeFileSync(config, JSON.stringify({ ...base, colour: 'blue' }));
    const unknown = agent(['run', '--config', config, '--once']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"colour"');
    const { mqtt: _mqtt, ...noMqtt } = base;
    writeFileSync(config, JSON.stringify(noMqtt));
    expect(agent(['run', '--config', config, '--once']).stderr).toContain('missing key "mqtt"');
    writeFileSync(config, JSON.stringify({ ...base, mqtt: { ...base.mqtt, port: 1 } }));
    expect(agent(['run', '--config', config, '--once']).stderr).toContain('"mqtt.port"');
    writeFileSync(config, JSON.stringify(base));
    mkdirSync(ws.path('inbox'));
    const older = await bundleFile(ws, 'older.mbundle', migrationsFolder(ws, 'm-older'), { sequence: 5 });
    copyFileSync(older, ws.path('inbox/a.mbundle'));
    copyFileSync(bundle, ws.path('inbox/b.mbundle'));
    writeFileSync(ws.path('inbox/junk.mbundle'), 'not a bundle');
    const once = agent(['run', '--config', config, '--once', '--json']);
    expect(once.code, once.stderr).toBe(0);
    expect(JSON.parse(once.stdout)).toMatchObject({ outcome: 'applied', to: 'shop_0003', bundle: { sequence: 10 } });
    expect(once.stderr).toMatch(/skipped: bundle .*junk\.mbundle refused \(malformed\)/);
  });
});
