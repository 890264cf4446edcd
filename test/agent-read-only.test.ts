import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAsUser, readOnlyForAgent, writableForAgent } from '../apps/edge-agent/test-support/agent-user.js';
import { agent, bundleFile, makeWorkspace, migrationsFolder, seedShop, sha256File, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

let ws: Workspace;
let bundle: string;

beforeAll(async () => {
  ws = makeWorkspace('agent-read-only-');
  chmodSync(ws.dir, 0o755);
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
});
afterAll(() => ws.cleanup());

/** A seeded database at shop_0001 in its own folder, both writable by the agent's user until the test says otherwise. */
function deviceDatabase(name: string): { dir: string; db: string } {
  const dir = ws.path(name);
  mkdirSync(dir);
  const db = `${dir}/app.db`;
  expect(agent(['upgrade', 'shop_0001', ...target(ws, db, bundle), '--no-backup']).code).toBe(0);
  seedShop(db, 500);
  writableForAgent(dir);
  writableForAgent(db);
  return { dir, db };
}

describe('a database the agent may not write', () => {
  it('read-only file: exit 6 before anything is written (no backup, no journal), and the file is byte-identical', () => {
    const { dir, db } = deviceDatabase('file');
    readOnlyForAgent(db);
    const before = sha256File(db);
    const run = agentAsUser(['upgrade', ...target(ws, db, bundle), '--json']);
    expect(run.code, run.stderr).toBe(6);
    expect(run.stderr).toMatch(new RegExp(`^edge-agent: database ${db} is not writable \\(.*(EACCES|EPERM|EROFS)\\); nothing was changed`));
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'refused', from: 'shop_0001', to: 'shop_0001', error: { code: 'read-only' } });
    expect(sha256File(db)).toBe(before);
    expect(readdirSync(dir)).toEqual(['app.db']);
  });

  it('read-only folder (SQLite cannot create its journal): exit 6 naming the folder, file untouched', () => {
    const { dir, db } = deviceDatabase('folder');
    readOnlyForAgent(dir);
    const before = sha256File(db);
    const run = agentAsUser(['upgrade', ...target(ws, db, bundle), '--no-backup']);
    expect(run.code, run.stderr).toBe(6);
    expect(run.stderr).toContain(`folder ${dir} of database ${db} is not writable`);
    expect(sha256File(db)).toBe(before);
    expect(readdirSync(dir)).toEqual(['app.db']);
  });

  it('run --once on a read-only database is a pre-check failure (6), not a failed migration (5)', () => {
    const { dir, db } = deviceDatabase('once');
    mkdirSync(`${dir}/inbox`);
    copyFileSync(bundle, `${dir}/inbox/shop.mbundle`);
    const config = `${dir}/agent.json`;
    writeFileSync(config, JSON.stringify({ db: 'app.db', trust: [ws.pub], bundles: 'inbox', mqtt: { url: 'mqtt://127.0.0.1:1', username: 'd', password: 'p' } }));
    readOnlyForAgent(db);
    const before = sha256File(db);
    const once = agentAsUser(['run', '--config', config, '--once']);
    expect(once.code, once.stderr).toBe(6);
    expect(once.stderr).toContain(`database ${db} is not writable`);
    expect(sha256File(db)).toBe(before);
  });

  it('still answers the commands that only read: current, --dry-run, --rehearse', () => {
    const { dir, db } = deviceDatabase('reads');
    readOnlyForAgent(db);
    readOnlyForAgent(dir);
    const before = sha256File(db);
    const current = agentAsUser(['current', '--db', db, '--json']);
    expect(current.code, current.stderr).toBe(0);
    expect(JSON.parse(current.stdout).revision).toBe('shop_0001');
    const dry = agentAsUser(['upgrade', ...target(ws, db, bundle), '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const rehearsal = agentAsUser(['upgrade', ...target(ws, db, bundle), '--rehearse', '--json']);
    expect(rehearsal.code, rehearsal.stderr).toBe(0);
    expect(JSON.parse(rehearsal.stdout)).toMatchObject({ outcome: 'applied', to: 'shop_0003' });
    expect(sha256File(db)).toBe(before);
  });

  it('a backup folder it may not write: exit 6 naming the folder, database untouched', () => {
    const { db } = deviceDatabase('backup');
    const backups = ws.path('backup-target');
    mkdirSync(backups);
    readOnlyForAgent(backups);
    const before = sha256File(db);
    const run = agentAsUser(['upgrade', ...target(ws, db, bundle), '--backup-dir', backups]);
    expect(run.code, run.stderr).toBe(6);
    expect(run.stderr).toMatch(new RegExp(`^edge-agent: backup folder ${backups} is not writable .*--backup-dir DIR`));
    expect(sha256File(db)).toBe(before);
    expect(existsSync(`${db}-journal`)).toBe(false);
  });
});
