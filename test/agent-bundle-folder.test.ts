import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAsUser, unreadableForAgent, writableForAgent } from '../apps/edge-agent/test-support/agent-user.js';
import { agent, bundleFile, makeWorkspace, migrationsFolder, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

let ws: Workspace;
let bundle: string;
let newer: string;

beforeAll(async () => {
  ws = makeWorkspace('agent-bundle-folder-');
  chmodSync(ws.dir, 0o755);
  const migrations = migrationsFolder(ws, 'migrations');
  bundle = await bundleFile(ws, 'seq2.mbundle', migrations, { sequence: 2 });
  newer = await bundleFile(ws, 'seq3.mbundle', migrations, { sequence: 3 });
});
afterAll(() => ws.cleanup());

/** A device folder (config, inbox, database) the agent's user may write. */
function device(name: string): { config: string; inbox: string; db: string } {
  const dir = ws.path(name);
  const inbox = `${dir}/inbox`;
  mkdirSync(inbox, { recursive: true });
  writableForAgent(dir);
  writableForAgent(inbox);
  const config = `${dir}/agent.json`;
  writeFileSync(config, JSON.stringify({ db: 'app.db', trust: [ws.pub], bundles: 'inbox', mqtt: { url: 'mqtt://127.0.0.1:1', username: 'd', password: 'p' } }));
  return { config, inbox, db: `${dir}/app.db` };
}

describe('run --once with unusable entries in the bundles folder', () => {
  it('applies the valid bundle and names the dangling link and the unreadable file it skipped', () => {
    const { config, inbox, db } = device('mixed');
    copyFileSync(bundle, `${inbox}/b.mbundle`);
    symlinkSync(`${inbox}/gone.mbundle`, `${inbox}/a.mbundle`);
    copyFileSync(newer, `${inbox}/c.mbundle`);
    unreadableForAgent(`${inbox}/c.mbundle`);
    const once = agentAsUser(['run', '--config', config, '--once', '--json']);
    expect(once.code, once.stderr).toBe(0);
    expect(JSON.parse(once.stdout)).toMatchObject({ outcome: 'applied', to: 'shop_0003', bundle: { sequence: 2 } });
    expect(once.stderr).toContain(`skipped ${inbox}/a.mbundle: dangling symbolic link (ENOENT)`);
    expect(once.stderr).toMatch(new RegExp(`skipped ${inbox}/c\\.mbundle: not readable by this user \\((EACCES|EPERM)\\)`));
    expect(JSON.parse(agent(['current', '--db', db, '--json']).stdout)).toMatchObject({ revision: 'shop_0003', bundleSequence: 2 });
  });

  it('ignores, without a word, files a writer has not finished: dot names, .tmp and .partial', () => {
    const { config, inbox } = device('writing');
    copyFileSync(bundle, `${inbox}/b.mbundle`);
    const half = 'half of a bundle';
    writeFileSync(`${inbox}/.c.mbundle`, half);
    writeFileSync(`${inbox}/c.mbundle.tmp`, half);
    writeFileSync(`${inbox}/c.mbundle.partial`, half);
    const once = agentAsUser(['run', '--config', config, '--once']);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stderr).not.toContain('c.mbundle');
  });

  it('with nothing usable, reports nothing to do (exit 0) and still names what it skipped', () => {
    const { config, inbox } = device('empty');
    symlinkSync(`${inbox}/gone.mbundle`, `${inbox}/a.mbundle`);
    const once = agentAsUser(['run', '--config', config, '--once']);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toContain('nothing to do');
    expect(once.stderr).toContain(`skipped ${inbox}/a.mbundle: dangling symbolic link`);
  });
});
