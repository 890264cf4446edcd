import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFile, makeWorkspace, migrationsFolder, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MINUTES = 60_000;

let ws: Workspace;
let installed: string;

/** The environment without the npm_* variables `npm run`/`npx` set for this repository. */
function npmEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));
  return { ...env, ...extra };
}

function runInstalled(args: string[]) {
  const result = spawnSync(join(installed, 'node_modules/.bin/edge-agent'), args, { cwd: ws.dir, encoding: 'utf8', env: npmEnv({}) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  ws = makeWorkspace('agent-pack-');
  const out = ws.path('out');
  const pack = spawnSync(process.execPath, [join(ROOT, 'scripts/pack-agent.mjs'), '--out', out], { cwd: ROOT, encoding: 'utf8' });
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = readdirSync(out).find((name) => name.endsWith('.tgz'))!;
  installed = ws.path('device');
  // npm's own cache is reused; the prebuilt better-sqlite3 written beside the tarball spares a compile.
  const install = spawnSync('npm', ['install', '--prefix', installed, '--no-audit', '--no-fund', '--prefer-offline', join(out, tarball)], {
    cwd: ws.dir,
    encoding: 'utf8',
    env: npmEnv({ npm_config_better_sqlite3_local_prebuilds: join(out, 'prebuilds') }),
  });
  expect(install.status, install.stderr).toBe(0);
}, 4 * MINUTES);
afterAll(() => ws.cleanup());

describe('the packed agent, installed with npm outside the repository', () => {
  it('carries its workspace packages inside the tarball, not links into the repository', () => {
    const nested = join(installed, 'node_modules/@godwit/edge-agent/node_modules/@godwit');
    for (const name of ['migration-bundle', 'schema']) {
      expect(existsSync(join(nested, name, 'dist/index.js')), name).toBe(true);
      expect(realpathSync(join(nested, name)).startsWith(realpathSync(installed))).toBe(true);
    }
  });

  it('leaves out what a device never loads: tsx (and its esbuild) and MQTT.js', () => {
    for (const name of ['tsx', 'esbuild', 'mqtt']) expect(existsSync(join(installed, 'node_modules', name)), name).toBe(false);
  });

  it('runs: --help, then a real upgrade of a new database from a signed bundle', async () => {
    const help = runInstalled(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('usage: edge-agent COMMAND');
    const bundle = await bundleFile(ws, 'shop.mbundle', migrationsFolder(ws, 'migrations'), { sequence: 1 });
    const db = ws.path('app.db');
    const upgrade = runInstalled(['upgrade', '--db', db, '--bundle', bundle, '--trust', ws.pub, '--json']);
    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(JSON.parse(upgrade.stdout)).toMatchObject({ from: null, to: 'shop_0003', outcome: 'applied', revisions: ['shop_0001', 'shop_0002', 'shop_0003'] });
    const current = runInstalled(['current', '--db', db, '--json']);
    expect(JSON.parse(current.stdout)).toMatchObject({ revision: 'shop_0003', bundleSequence: 1 });
  });
});
