import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDrivers } from '../store/test-store.js';
import { runCli, spawnServe } from './test-cli.js';

describe.each(testDrivers())('coordinator serve on %s', (driver) => {
  const folder = mkdtempSync(join(tmpdir(), 'godwit-serve-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('starts with no other setup, prints its addresses, and a second start finds what the first stored', async () => {
    const database = await createTestDatabase(driver);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...(database.url && { DATABASE_URL: database.url }) };
    try {
      const first = await spawnServe(['--http-port', '0', '--mqtt-port', '0'], env, folder);
      const match = /^coordinator ready: http (http:\/\/127\.0\.0\.1:\d+) mqtt (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(first.ready);
      expect(match, first.ready).not.toBeNull();
      const tokenFile = join(folder, 'godwit-data', 'admin-token');
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      if (driver === 'pglite') expect(statSync(join(folder, 'godwit-data', 'pglite')).isDirectory()).toBe(true);
      const adminToken = readFileSync(tokenFile, 'utf8').trim();

      const client = { GODWIT_SERVER: match![1] };
      const tenant = await runCli(['tenant', 'create', 'keepers', '--json'], { ...client, GODWIT_TOKEN: adminToken });
      expect(tenant.code, tenant.stderr).toBe(0);
      const { token } = JSON.parse(tenant.stdout);
      expect((await runCli(['device', 'register', 'kept-1', '--json'], { ...client, GODWIT_TOKEN: token })).code).toBe(0);
      expect(await first.stop()).toBe(0);

      const second = await spawnServe(['--http-port', '0', '--mqtt-port', '0', '--json'], env, folder);
      const ready = JSON.parse(second.ready);
      expect(ready).toMatchObject({ http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), mqtt: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/) });
      expect(readFileSync(tokenFile, 'utf8').trim()).toBe(adminToken);
      const devices = await runCli(['devices', '--json'], { GODWIT_SERVER: ready.http, GODWIT_TOKEN: token });
      expect(devices.code, devices.stderr).toBe(0);
      expect(JSON.parse(devices.stdout).map((d: { id: string }) => d.id)).toEqual(['kept-1']);
      expect(await second.stop()).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
