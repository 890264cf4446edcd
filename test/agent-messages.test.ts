import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, AGENT_BIN, bundleFile, makeWorkspace, migrationsFolder, target, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

let ws: Workspace;
let bundle: string;
const mqtt = { url: 'mqtt://127.0.0.1:1', username: 'd', password: 'p' };

beforeAll(async () => {
  ws = makeWorkspace('agent-messages-');
  bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
  mkdirSync(ws.path('inbox'));
});
afterAll(() => ws.cleanup());

/** Writes a config file and runs --once on it. */
function runOnce(json: string | Buffer) {
  const config = ws.path('agent.json');
  writeFileSync(config, json);
  return agent(['run', '--config', config, '--once']);
}

function configJson(overrides: Record<string, unknown>): string {
  return JSON.stringify({ db: 'app.db', trust: [ws.pub], bundles: 'inbox', mqtt, ...overrides });
}

describe('agent messages name what to fix', () => {
  it('a lock timeout SQLite cannot take is a usage error naming the key or flag, not the database', () => {
    const config = runOnce(configJson({ lockTimeoutMs: 2 ** 31 }));
    expect(config.code, config.stderr).toBe(2);
    expect(config.stderr).toMatch(/"lockTimeoutMs" must be at most 2147483647/);
    const db = ws.path('lock.db');
    const flag = agent(['upgrade', ...target(ws, db, bundle), '--lock-timeout', String(2 ** 31)]);
    expect(flag.code, flag.stderr).toBe(2);
    expect(flag.stderr).toBe('edge-agent: --lock-timeout takes at most 2147483647, not 2147483648\n');
    expect(agent(['current', '--db', db, '--lock-timeout', String(2 ** 31 - 1)]).code).toBe(0);
  });

  it('current refuses a database path whose folder does not exist, with the same message as upgrade', () => {
    const db = ws.path('no/such/dir/app.db');
    const current = agent(['current', '--db', db]);
    const upgrade = agent(['upgrade', ...target(ws, db, bundle)]);
    expect(current.code, current.stdout).toBe(2);
    expect(current.stderr).toBe(`edge-agent: cannot use database ${db}: folder ${ws.path('no/such/dir')} does not exist; check the --db path\n`);
    expect(upgrade.code).toBe(2);
    expect(upgrade.stderr).toBe(current.stderr);
  });

  // JSON.stringify writes both as escapes (\u0000, \ud800): the file itself is valid UTF-8.
  it.each([
    ['a NUL byte in "db"', { db: 'app\0.db' }, /"db" holds a NUL byte/],
    ['a lone surrogate in "bundles"', { bundles: 'in\ud800box' }, /"bundles" holds a lone surrogate/],
    ['a NUL byte in "mqtt.password"', { mqtt: { ...mqtt, password: 'p\0' } }, /"mqtt.password" holds a NUL byte/],
    ['a lone surrogate in a trust path', { trust: ['\udc00.pub'] }, /"trust\[0\]" holds a lone surrogate/],
  ])('a config with %s is a usage error naming the key', (_, overrides, message) => {
    const run = runOnce(configJson(overrides));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(2);
  });

  it('a config file that is not UTF-8 is a usage error', () => {
    const run = runOnce(Buffer.concat([Buffer.from(configJson({}).slice(0, -1)), Buffer.from(',"x":"\xe9"}', 'latin1')]));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('(not valid UTF-8)');
  });

  it('a path argument whose bytes are not UTF-8 is refused instead of opening another file', () => {
    // The shell hands Node raw bytes; Node turns the invalid ones into U+FFFD.
    const run = spawnSync('sh', ['-c', `exec "${process.execPath}" "${AGENT_BIN}" current --db "$(printf '${ws.dir}/\\351.db')"`], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toBe('edge-agent: --db holds bytes that are not valid UTF-8; pass the path as UTF-8 text\n');
  });
});
