import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnServe, type ServeProcess } from './test-cli.js';

// The lock guards PGlite folders only (a PostgreSQL server has its own concurrency), so this runs
// on PGlite whatever DATABASE_URL says.
describe('coordinator serve on a PGlite folder another coordinator holds', () => {
  const folder = mkdtempSync(join(tmpdir(), 'godwit-lock-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const args = ['--http-port', '0', '--mqtt-port', '0', '--json'];
  const started: ServeProcess[] = [];
  const serve = async () => {
    const running = await spawnServe(args, env, folder);
    started.push(running);
    return running;
  };
  afterAll(async () => {
    for (const running of started) if (running.child.exitCode === null && running.child.signalCode === null) await running.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a second start at once naming the folder, and starts again after the first is SIGKILLed', async () => {
    const first = await serve();
    const { http } = JSON.parse(first.ready);
    const adminToken = readFileSync(join(folder, 'godwit-data', 'admin-token'), 'utf8').trim();
    const tenant = await runCli(['tenant', 'create', 'locked', '--json'], { GODWIT_SERVER: http, GODWIT_TOKEN: adminToken });
    expect(tenant.code, tenant.stderr).toBe(0);
    const { token } = JSON.parse(tenant.stdout);
    expect((await runCli(['device', 'register', 'kept-1'], { GODWIT_SERVER: http, GODWIT_TOKEN: token })).code).toBe(0);

    const second = await serve().then(
      () => null,
      (error: Error) => /^serve exited with (\d+): ([^]*)$/.exec(error.message),
    );
    expect(second, 'the second coordinator started').not.toBeNull();
    expect(Number(second![1])).not.toBe(0);
    expect(second![2]).toMatch(new RegExp(`^coordinator: data folder ${join(folder, 'godwit-data')} is in use by another coordinator \\(pid ${first.child.pid}\\)[^\\n]*\\n$`));
    // The first one is untouched and still serves.
    expect((await runCli(['devices', '--json'], { GODWIT_SERVER: http, GODWIT_TOKEN: token })).code).toBe(0);

    const killed = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;

    const third = await serve();
    const devices = await runCli(['devices', '--json'], { GODWIT_SERVER: JSON.parse(third.ready).http, GODWIT_TOKEN: token });
    expect(devices.code, devices.stderr).toBe(0);
    expect(JSON.parse(devices.stdout).map((d: { id: string }) => d.id)).toEqual(['kept-1']);
    expect(await third.stop()).toBe(0);
    expect(existsSync(join(folder, 'godwit-data', 'coordinator.lock'))).toBe(false);
  });
});
